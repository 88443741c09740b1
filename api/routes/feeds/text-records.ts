/**
 * Incremental splitting of an upload into records, fed one decoded piece at a time so that a file of any size
 * passes through in constant memory: NDJSON lines, and CSV records (RFC 4180: fields in double quotes may hold
 * commas, line breaks and doubled quotes). Each record carries the physical line it starts on, for error reports.
 * Pure: no I/O.
 */

export interface TextRecord {
  /** 1-based physical line where the record starts. */
  line: number;
  text: string;
}

export interface CsvRecord {
  line: number;
  fields: string[];
  /** Set when the record cannot be read (an unterminated quote, text after a closing quote). */
  error?: string;
}

/** NDJSON: one record per line; blank lines are skipped but counted. */
export class LineSplitter {
  private rest = '';
  private line = 1;

  push(piece: string): TextRecord[] {
    const text = this.rest + piece;
    const records: TextRecord[] = [];
    let start = 0;
    for (let newline = text.indexOf('\n', start); newline !== -1; newline = text.indexOf('\n', start)) {
      this.take(text.slice(start, newline), records);
      start = newline + 1;
    }
    this.rest = text.slice(start);
    return records;
  }

  end(): TextRecord[] {
    const records: TextRecord[] = [];
    if (this.rest !== '') {
      this.take(this.rest, records);
      this.rest = '';
    }
    return records;
  }

  private take(raw: string, records: TextRecord[]): void {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim() !== '') {
      records.push({ line: this.line, text });
    }
    this.line++;
  }
}

/** CSV records, the header included (the caller reads the first record as the header). */
export class CsvSplitter {
  private rest = '';
  private line = 1;

  push(piece: string): CsvRecord[] {
    return this.drain(this.rest + piece, false);
  }

  end(): CsvRecord[] {
    const records = this.drain(this.rest, true);
    this.rest = '';
    return records;
  }

  private drain(text: string, final: boolean): CsvRecord[] {
    const records: CsvRecord[] = [];
    let start = 0;
    while (start < text.length) {
      const parsed = parseRecord(text, start, final);
      if (!parsed) {
        break;
      }
      if (!(parsed.fields.length === 1 && parsed.fields[0] === '' && !parsed.error)) {
        records.push({ line: this.line, fields: parsed.fields, ...(parsed.error ? { error: parsed.error } : {}) });
      }
      this.line += parsed.lines;
      start = parsed.next;
    }
    this.rest = text.slice(start);
    return records;
  }
}

interface Parsed {
  fields: string[];
  /** Index just after the record's line break. */
  next: number;
  /** Physical lines the record spans. */
  lines: number;
  error?: string;
}

const stripCr = (text: string) => (text.endsWith('\r') ? text.slice(0, -1) : text);

/** One record from `start`, or null when the text ends before the record does and more may follow. */
function parseRecord(text: string, start: number, final: boolean): Parsed | null {
  const newline = text.indexOf('\n', start);
  const lineEnd = newline === -1 ? text.length : newline;
  if (newline === -1 && !final) {
    return null;
  }
  const simple = text.slice(start, lineEnd);
  if (!simple.includes('"')) {
    return { fields: stripCr(simple).split(','), next: lineEnd + 1, lines: 1 };
  }

  const fields: string[] = [];
  let field = '';
  let lines = 1;
  let i = start;
  let quoted = false;
  let afterQuote = false;
  let error: string | undefined;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else if (i + 1 === text.length && !final) {
          return null;
        } else {
          quoted = false;
          afterQuote = true;
        }
      } else {
        if (c === '\n') {
          lines++;
        }
        field += c;
      }
      continue;
    }
    if (c === ',') {
      fields.push(field);
      field = '';
      afterQuote = false;
    } else if (c === '\n') {
      break;
    } else if (c === '"' && field === '' && !afterQuote) {
      quoted = true;
    } else if (c === '\r' && (text[i + 1] === '\n' || i + 1 === text.length)) {
      continue;
    } else if (afterQuote) {
      error ??= '引号外有多余字符';
      field += c;
    } else {
      field += c;
    }
  }
  if (i >= text.length && !final) {
    return null;
  }
  if (quoted) {
    error = '引号未闭合';
  }
  fields.push(field);
  return { fields, next: i + 1, lines, ...(error ? { error } : {}) };
}
