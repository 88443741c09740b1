import { createRequire } from 'node:module';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root.js';

/*
 * Workflow histories as the proto3 JSON that Temporal's tools write and read (`temporal workflow show --output
 * json`). `historyToJSON` and `historyFromJSON` from @temporalio/common would do this, but with this lockfile
 * @temporalio/common and @temporalio/proto each carry their own copy of protobufjs 8 (the top-level slot holds
 * @grpc/proto-loader's protobufjs 7), and protobufjs's `instanceof Type` check across the two copies throws
 * "type must be a Type". The same conversion, with the protobufjs copy that @temporalio/proto itself loads.
 */

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }): History | null;
}

const requireFromProto = createRequire(createRequire(import.meta.url).resolve('@temporalio/proto'));
const protojson = requireFromProto('protobufjs/ext/protojson') as ProtoJson;
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType(
  'temporal.api.history.v1.History',
);

export function historyToJson(history: History): string {
  return JSON.stringify(
    protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)),
    null,
    2,
  );
}

export function historyFromJson(json: unknown): History {
  const history = protojson.fromJson(historyType, json, { ignoreUnknownFields: true });
  if (!history) {
    throw new TypeError('Not a workflow history');
  }
  return history;
}
