import { createHash, randomUUID } from 'node:crypto';
import { TextDecoder } from 'node:util';
import type { Db } from '../../../db/database.js';
import {
  completeBatch,
  createPendingBatch,
  findBatchByContent,
  insertFeedRows,
  type FeedRowValues,
} from '../../../db/repositories/feed.repository.js';
import type { FeedBatch, FeedKind } from '../../../db/tables/feed.table.js';
import { shanghaiDate } from '../../../workflows/shared/working-time.js';
import { ApiError, type FieldProblem } from '../../errors.js';
import { FEED_SCHEMAS, columnsOf, validateRow, type RowContext, type ValueSource } from './feed-schemas.js';
import { CsvSplitter, LineSplitter } from './text-records.js';

/** How many refused rows' problems a batch keeps and answers with; the counts stay exact beyond it. */
export const MAX_REPORTED_ERRORS = 1000;
const DEFAULT_CHUNK_ROWS = 5000;

export type FeedFormat = 'ndjson' | 'csv';
export type FeedEncoding = 'utf-8' | 'gbk' | 'gb18030';

export interface FeedImportInput {
  kind: FeedKind;
  format: FeedFormat;
  encoding: FeedEncoding;
  /** The raw body, read as it arrives. */
  body: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array | string>;
  limitBytes: number;
  uploadedBy: string | null;
  lookupHashKey: Buffer;
  /** Today in Asia/Shanghai; rows dated after it are refused. */
  today?: string;
  chunkRows?: number;
}

export interface RowError {
  line: number;
  field: string;
  reason: string;
}

export interface FeedImportResult {
  batchId: string;
  kind: FeedKind;
  format: FeedFormat;
  /** Rows that passed validation. */
  accepted: number;
  /** Rows refused; each has one or more entries in `errors`. */
  rejected: number;
  /** Accepted rows stored by this batch; the rest were already stored from earlier batches. */
  stored: number;
  duplicates: number;
  errors: RowError[];
  errorCount: number;
  errorsTruncated: boolean;
  /** True when this exact content was uploaded before: nothing was stored, the first batch's answer is given. */
  duplicateBatch: boolean;
}

export const batchResult = (batch: FeedBatch, duplicateBatch: boolean): FeedImportResult => {
  const errors = batch.errors as unknown as RowError[];
  return {
    batchId: batch.id,
    kind: batch.kind,
    format: batch.format,
    accepted: batch.accepted,
    rejected: batch.rejected,
    stored: batch.stored,
    duplicates: batch.duplicates,
    errors,
    errorCount: batch.error_count,
    errorsTruncated: batch.error_count > errors.length,
    duplicateBatch,
  };
};

const UNIQUE_VIOLATION = '23505';

/**
 * Imports one uploaded batch of a feed kind as it streams in: decodes, splits into records, validates each row,
 * and stores good rows in chunks (one statement per chunk, matched to workers, duplicates skipped), while bad rows
 * are reported with line, field and reason. The whole batch is one transaction: a body cut off, over the size
 * limit or not in its declared encoding stores nothing and answers an error; earlier batches are untouched.
 * Re-uploading the same content answers the first batch and stores nothing. Memory stays flat with file size:
 * at most two chunks of rows are held at a time.
 */
export async function importFeedBatch(db: Db, input: FeedImportInput): Promise<FeedImportResult> {
  const schema = FEED_SCHEMAS[input.kind];
  const context: RowContext = { today: input.today ?? shanghaiDate(Date.now()), lookupHashKey: input.lookupHashKey };
  const chunkRows = input.chunkRows ?? DEFAULT_CHUNK_ROWS;
  const bodyHash = createHash('sha256');
  let contentHash: string | null = null;
  const errors: RowError[] = [];
  const counts = { accepted: 0, rejected: 0, stored: 0, errorCount: 0, bytes: 0 };

  try {
    return await db.transaction().execute(async (trx) => {
      const batchId = await createPendingBatch(trx, {
        kind: input.kind,
        format: input.format,
        encoding: input.encoding,
        uploadedBy: input.uploadedBy,
        placeholder: `pending:${randomUUID()}`,
      });
      let chunk = emptyChunk();
      let inFlight: Promise<number> | null = null;
      const flush = async (): Promise<void> => {
        if (inFlight) {
          counts.stored += await inFlight;
          inFlight = null;
        }
        if (chunk.rowKeys.length > 0) {
          inFlight = insertFeedRows(trx, input.kind, batchId, chunk);
          // Checked when awaited; without a handler a failure while parsing goes on would be unhandled.
          inFlight.catch(() => undefined);
          chunk = emptyChunk();
        }
      };
      const reject = (line: number, problems: FieldProblem[]) => {
        counts.rejected++;
        counts.errorCount += problems.length;
        for (const problem of problems) {
          if (errors.length < MAX_REPORTED_ERRORS) {
            errors.push({ line, field: problem.field, reason: problem.reason });
          }
        }
      };
      const take = (line: number, record: Record<string, unknown>, source: ValueSource) => {
        const outcome = validateRow(schema, record, source, context);
        if ('problems' in outcome) {
          reject(line, outcome.problems);
          return;
        }
        counts.accepted++;
        const row = outcome.row;
        chunk.rowKeys.push(row.rowKey);
        chunk.idNumberHashes.push(row.idNumberHash);
        chunk.occurredOn.push(row.occurredOn);
        chunk.amountFen.push(row.amountFen);
        chunk.departments.push(row.department);
        chunk.details.push(row.detail);
      };

      const records = input.format === 'ndjson' ? ndjsonReader(take, reject) : csvReader(schema.kind, take, reject);
      const decoder = new TextDecoder(input.encoding, { fatal: true, ignoreBOM: false });
      for await (const piece of input.body) {
        const bytes = typeof piece === 'string' ? Buffer.from(piece) : piece;
        counts.bytes += bytes.length;
        if (counts.bytes > input.limitBytes) {
          throw tooLarge(input.limitBytes);
        }
        bodyHash.update(bytes);
        records.push(decode(decoder, bytes, input.encoding, true));
        if (chunk.rowKeys.length >= chunkRows) {
          await flush();
        }
      }
      records.push(decode(decoder, new Uint8Array(), input.encoding, false));
      records.end();
      await flush();
      await flush();
      if (counts.accepted + counts.rejected === 0) {
        throw new ApiError(400, 'FEED_EMPTY', '上传的文件中没有数据行');
      }
      contentHash = bodyHash.digest('hex');
      await completeBatch(trx, batchId, { ...counts, contentHash, errors });
      return {
        batchId,
        kind: input.kind,
        format: input.format,
        accepted: counts.accepted,
        rejected: counts.rejected,
        stored: counts.stored,
        duplicates: counts.accepted - counts.stored,
        errors,
        errorCount: counts.errorCount,
        errorsTruncated: counts.errorCount > errors.length,
        duplicateBatch: false,
      };
    });
  } catch (error) {
    const pg = error as { code?: string; constraint?: string };
    if (contentHash && pg.code === UNIQUE_VIOLATION && pg.constraint === 'feed_batch_kind_content_hash_key') {
      const first = await findBatchByContent(db, input.kind, contentHash);
      if (first) {
        return batchResult(first, true);
      }
    }
    throw error;
  }
}

function emptyChunk(): FeedRowValues {
  return { rowKeys: [], idNumberHashes: [], occurredOn: [], amountFen: [], departments: [], details: [] };
}

const tooLarge = (limit: number) =>
  new ApiError(
    413,
    'FEED_TOO_LARGE',
    `上传内容超过上限 ${Math.floor(limit / 1024 / 1024)} MB，请拆分为多个批次上传；本批次未保存任何数据`,
  );

function decode(decoder: TextDecoder, bytes: Uint8Array, encoding: FeedEncoding, stream: boolean): string {
  try {
    return decoder.decode(bytes, { stream });
  } catch {
    throw new ApiError(
      400,
      'FEED_ENCODING_INVALID',
      encoding === 'utf-8'
        ? '文件不是有效的 UTF-8 编码；如为 GBK 编码的 CSV，请在 Content-Type 中声明 charset=gbk；本批次未保存任何数据'
        : `文件不是有效的 ${encoding.toUpperCase()} 编码，请检查文件编码；本批次未保存任何数据`,
    );
  }
}

interface RecordSink {
  push(text: string): void;
  end(): void;
}

type Take = (line: number, record: Record<string, unknown>, source: ValueSource) => void;
type Reject = (line: number, problems: FieldProblem[]) => void;

function ndjsonReader(take: Take, reject: Reject): RecordSink {
  const splitter = new LineSplitter();
  const handle = (records: { line: number; text: string }[]) => {
    for (const { line, text } of records) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        reject(line, [{ field: 'row', reason: '不是有效的 JSON' }]);
        continue;
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        reject(line, [{ field: 'row', reason: '每行须为一个 JSON 对象' }]);
        continue;
      }
      take(line, value as Record<string, unknown>, 'json');
    }
  };
  return { push: (text) => handle(splitter.push(text)), end: () => handle(splitter.end()) };
}

function csvReader(kind: FeedKind, take: Take, reject: Reject): RecordSink {
  const splitter = new CsvSplitter();
  const allowed = columnsOf(FEED_SCHEMAS[kind]);
  let header: string[] | null = null;
  const handle = (records: { line: number; fields: string[]; error?: string }[]) => {
    for (const record of records) {
      if (!header) {
        header = record.fields.map((name) => name.trim());
        checkHeader(header, allowed);
        continue;
      }
      if (record.error) {
        reject(record.line, [{ field: 'row', reason: record.error }]);
        continue;
      }
      if (record.fields.length !== header.length) {
        reject(record.line, [
          { field: 'row', reason: `本行有 ${record.fields.length} 列，表头为 ${header.length} 列` },
        ]);
        continue;
      }
      const values: Record<string, unknown> = {};
      header.forEach((name, i) => {
        values[name] = record.fields[i]!.trim();
      });
      take(record.line, values, 'text');
    }
  };
  return { push: (text) => handle(splitter.push(text)), end: () => handle(splitter.end()) };
}

/** A CSV header must name known columns, each once, and every required one: otherwise no row can be read. */
function checkHeader(header: string[], allowed: { key: string; required: boolean }[]): void {
  const known = new Set(allowed.map((c) => c.key));
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  for (const name of header) {
    if (!known.has(name)) {
      problems.push({ field: name || '(空列名)', reason: '未知的列' });
    } else if (seen.has(name)) {
      problems.push({ field: name, reason: '列重复' });
    }
    seen.add(name);
  }
  for (const column of allowed) {
    if (column.required && !seen.has(column.key)) {
      problems.push({ field: column.key, reason: '缺少必填列' });
    }
  }
  if (problems.length > 0) {
    throw new ApiError(
      400,
      'FEED_COLUMNS_INVALID',
      `CSV 表头有误：${problems.map((p) => `${p.field}（${p.reason}）`).join('；')}；本批次未保存任何数据`,
      problems,
    );
  }
}
