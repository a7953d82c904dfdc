/**
 * The fan-out roles' documents, pure like infra/policies.ts: the dispatcher may only send to the queue and resolve
 * the stage's clusters; the worker may only receive and delete the queue's messages, and has the sync function's
 * access without the cluster lookup (its message names the instance and the group).
 */
import { assertNoWildcardActions, rdsArn, syncFunctionPolicy, type PolicyDocument, type PolicyStatement, type SyncPolicyInputs } from "./policies";

export const DISPATCHER_QUEUE_ACTIONS = ["sqs:SendMessage"];
// GetQueueAttributes: the event source mapping reads the queue's settings when it is created and while it polls.
export const WORKER_QUEUE_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"];

export interface DispatcherPolicyInputs extends Pick<SyncPolicyInputs, "partition" | "region" | "accountId" | "clusters" | "logGroupArn"> {
  queueArn: string;
}

export function dispatcherPolicy(p: DispatcherPolicyInputs): PolicyDocument {
  const statements: PolicyStatement[] = [
    // SendMessageBatch is authorized as sqs:SendMessage.
    { Sid: "SendToWorkQueue", Effect: "Allow", Action: DISPATCHER_QUEUE_ACTIONS, Resource: [p.queueArn] },
  ];
  if (p.clusters.length > 0) {
    statements.push({ Sid: "ResolveClusterMembers", Effect: "Allow", Action: ["rds:DescribeDBClusters"], Resource: p.clusters.map((id) => rdsArn(p, "cluster", id)) });
  }
  statements.push(ownLogGroup(p.logGroupArn));
  return assertNoWildcardActions({ Version: "2012-10-17", Statement: statements });
}

export interface WorkerPolicyInputs extends SyncPolicyInputs {
  queueArn: string;
}

export function workerPolicy(p: WorkerPolicyInputs): PolicyDocument {
  const sync = syncFunctionPolicy(p).Statement.filter((s) => s.Sid !== "ResolveClusterMembers");
  return assertNoWildcardActions({
    Version: "2012-10-17",
    Statement: [{ Sid: "ConsumeWorkQueue", Effect: "Allow", Action: WORKER_QUEUE_ACTIONS, Resource: [p.queueArn] }, ...sync],
  });
}

function ownLogGroup(logGroupArn: string): PolicyStatement {
  return { Sid: "WriteOwnLogGroup", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`${logGroupArn}:*`] };
}
