import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CsvSplitter, LineSplitter } from '../../api/routes/feeds/text-records.js';

/** RFC 4180: a field with a comma, quote or line break is quoted, and its quotes doubled. */
const csvField = (field: string) => (/[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field);

/** Cuts a text into pieces at the given offsets, as a network delivers it. */
function cut(text: string, offsets: number[]): string[] {
  const points = [...new Set(offsets.map((o) => o % (text.length + 1)))].sort((a, b) => a - b);
  const pieces: string[] = [];
  let start = 0;
  for (const point of points) {
    pieces.push(text.slice(start, point));
    start = point;
  }
  pieces.push(text.slice(start));
  return pieces;
}

describe('CsvSplitter', () => {
  test('reads back any records written by RFC 4180, however the text is cut', () => {
    const field = fc.string({ unit: fc.constantFrom('a', '中', ',', '"', '\n', '\r\n', ' ', '1'), maxLength: 8 });
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (records, offsets) => {
          const text = records.map((fields) => fields.map(csvField).join(',')).join('\r\n');
          const splitter = new CsvSplitter();
          const read = [...cut(text, offsets).flatMap((piece) => splitter.push(piece)), ...splitter.end()];

          expect(read.map((r) => r.fields)).toEqual(records);
          expect(read.every((r) => r.error === undefined)).toBe(true);
        },
      ),
      { seed: 20261205, numRuns: 300 },
    );
  });

  test('numbers records by the physical line they start on, skipping blank lines', () => {
    const splitter = new CsvSplitter();
    const read = [...splitter.push('a,b\n\n"x\ny",2\nz,3'), ...splitter.end()];

    expect(read.map((r) => [r.line, r.fields])).toEqual([
      [1, ['a', 'b']],
      [3, ['x\ny', '2']],
      [5, ['z', '3']],
    ]);
  });

  test('marks an unterminated quote and text after a closing quote as errors of their line', () => {
    const splitter = new CsvSplitter();
    const read = [...splitter.push('"ok"x,1\n"open,2'), ...splitter.end()];

    expect(read.map((r) => [r.line, r.error])).toEqual([
      [1, '引号外有多余字符'],
      [2, '引号未闭合'],
    ]);
  });
});

describe('LineSplitter', () => {
  test('gives every non-blank line once with its number, whatever the pieces', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 5 }), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        (lines, offsets) => {
          const clean = lines.map((l) => l.replace(/[\r\n]/g, ''));
          const splitter = new LineSplitter();
          const read = [...cut(clean.join('\n'), offsets).flatMap((p) => splitter.push(p)), ...splitter.end()];

          expect(read).toEqual(clean.flatMap((text, i) => (text.trim() === '' ? [] : [{ line: i + 1, text }])));
        },
      ),
      { seed: 20261206, numRuns: 300 },
    );
  });
});
