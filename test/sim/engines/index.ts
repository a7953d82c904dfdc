export { SimFile, EngineModel, type SchemeName, type ModelOptions, type Burst, type RaceAction } from "./model";
export { MysqlHourlyModel, MYSQL_ACTIVE, MYSQL_STAGING, type MysqlHourlyOptions } from "./mysql-hourly";
export { MysqlAuditModel, AUDIT_ACTIVE, type MysqlAuditOptions } from "./mysql-audit";
export { AuroraAuditModel, type AuroraAuditOptions } from "./aurora-audit";
export { PostgresModel, postgresName, type PostgresOptions } from "./postgres";
export { SqlServerModel, SQLSERVER_ACTIVE, type SqlServerOptions } from "./sqlserver";
