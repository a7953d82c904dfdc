// s3rver 3.7.1 prunes every directory more than one level below the prefix when a listing has a delimiter, so
// `Prefix=db1/, Delimiter=/` over `db1/error/2024/...` finds no common prefix at all. S3 groups every key under
// the prefix. This replacement lists without the delimiter and groups the keys itself, as S3 does: common
// prefixes and objects share MaxKeys, in key order.

interface ListOptions {
  delimiter?: string;
  prefix?: string;
  startAfter?: string;
  maxKeys?: number;
}

interface Listing {
  objects: { key: string }[];
  commonPrefixes: string[];
  isTruncated: boolean;
}

export interface ListingStore {
  listObjects(bucket: string, options: ListOptions): Promise<Listing>;
}

export function groupDelimitedListings(store: ListingStore): void {
  const listAll = store.listObjects.bind(store);
  store.listObjects = async (bucket, options) => {
    const { delimiter, prefix = "", maxKeys = Infinity, startAfter = "" } = options;
    if (!delimiter) return listAll(bucket, options);
    const all = await listAll(bucket, { ...options, delimiter: "", maxKeys: Infinity });
    const out: Listing = { objects: [], commonPrefixes: [], isTruncated: false };
    let taken = 0;
    for (const object of all.objects) {
      const idx = object.key.slice(prefix.length).indexOf(delimiter);
      const common = idx === -1 ? undefined : object.key.slice(0, prefix.length + idx + delimiter.length);
      if (common !== undefined && (common <= startAfter || out.commonPrefixes.at(-1) === common)) continue;
      if (taken === maxKeys) {
        out.isTruncated = true;
        break;
      }
      taken++;
      if (common === undefined) out.objects.push(object);
      else out.commonPrefixes.push(common);
    }
    return out;
  };
}
