import { describe, expect, test } from 'vitest';

import {
  checkIdNumber,
  decrypt,
  encrypt,
  lookupHash,
  maskIdNumber,
  maskPhone,
  normaliseIdNumber,
  withCheckDigit,
} from '../../db/personal-data.js';

/** Fictional numbers: region 330602, born 1985-03-12, sequence 001 (male) and 002 (female, check character X). */
const MALE_ID = withCheckDigit('33060219850312001');
const FEMALE_ID = withCheckDigit('33060219850312002');

const ENCRYPTION_KEY = Buffer.alloc(32, 7);
const OTHER_ENCRYPTION_KEY = Buffer.alloc(32, 8);
const LOOKUP_KEY = Buffer.from('lookup-key-one-lookup-key-one-32');
const OTHER_LOOKUP_KEY = Buffer.from('lookup-key-two-lookup-key-two-32');

/** Flips one bit of one base64 part of a sealed value (`v1.<iv>.<tag>.<body>`). */
function tamper(sealed: string, part: 1 | 2 | 3): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[part]!, 'base64');
  bytes[0] = bytes[0]! ^ 0x01;
  parts[part] = bytes.toString('base64');

  return parts.join('.');
}

describe('withCheckDigit', () => {
  test('completes 17 digits with the ISO 7064 MOD 11-2 check character', () => {
    expect(MALE_ID).toBe('330602198503120011');
    expect(FEMALE_ID).toBe('33060219850312002X');
  });
});

describe('checkIdNumber', () => {
  test('accepts a valid number and reads the birth date and, from an odd 17th digit, a male holder', () => {
    expect(checkIdNumber(MALE_ID)).toEqual({ birthDate: '1985-03-12', gender: 'male' });
  });

  test('accepts a valid number ending in X and reads, from an even 17th digit, a female holder', () => {
    expect(checkIdNumber(FEMALE_ID)).toEqual({ birthDate: '1985-03-12', gender: 'female' });
  });

  test.each([
    ['a wrong check digit', '330602198503120012', 'check_digit'],
    ['X where the check digit should be 1', '33060219850312001X', 'check_digit'],
    ['a birth date of 1985-02-30, which does not exist', withCheckDigit('33060219850230001'), 'birth_date'],
    ['a birth month 13', withCheckDigit('33060219851301001'), 'birth_date'],
    ['a birth date before 1900', withCheckDigit('33060218991231001'), 'birth_date'],
    ['a birth date in the future', withCheckDigit('33060220991231001'), 'birth_date'],
    ['17 characters', '33060219850312001', 'length'],
    ['19 characters', '3306021985031200110', 'length'],
    ['an empty string', '', 'length'],
    ['a letter among the digits', '3306021985031A0011', 'characters'],
    ['a lower-case x check character, before normalising', '33060219850312002x', 'characters'],
    ['full-width digits, before normalising', '３３０６０２１９８５０３１２００１１', 'characters'],
  ])('refuses %s', (_title, idNumber, problem) => {
    expect(checkIdNumber(idNumber)).toBe(problem);
  });
});

describe('normaliseIdNumber', () => {
  test('turns full-width digits into ASCII and drops spaces, both ASCII and ideographic', () => {
    expect(normaliseIdNumber('３３０６０２ １９８５０３１２\u3000００１１')).toBe('330602198503120011');
  });

  test('upper-cases a lower-case x, full-width or not', () => {
    expect(normaliseIdNumber('33060219850312002x')).toBe('33060219850312002X');
    expect(normaliseIdNumber('33060219850312002ｘ')).toBe('33060219850312002X');
  });

  test('drops leading, trailing and inner whitespace, tabs included', () => {
    expect(normaliseIdNumber(' 330602\t19850312 0011 ')).toBe('330602198503120011');
  });

  test('gives a number that checkIdNumber accepts from one typed with full-width characters', () => {
    expect(checkIdNumber(normaliseIdNumber('３３０６０２１９８５０３１２００２ｘ'))).toEqual({
      birthDate: '1985-03-12',
      gender: 'female',
    });
  });
});

describe('encrypt and decrypt', () => {
  test('decrypt gives back the encrypted value, Chinese text included', () => {
    expect(decrypt(encrypt(MALE_ID, ENCRYPTION_KEY), ENCRYPTION_KEY)).toBe(MALE_ID);
    expect(decrypt(encrypt('杭州市上城区', ENCRYPTION_KEY), ENCRYPTION_KEY)).toBe('杭州市上城区');
    expect(decrypt(encrypt('', ENCRYPTION_KEY), ENCRYPTION_KEY)).toBe('');
  });

  test('seals a value as v1 and three base64 parts, with the plain value nowhere in it', () => {
    const sealed = encrypt(MALE_ID, ENCRYPTION_KEY);

    expect(sealed).toMatch(/^v1\.[A-Za-z0-9+/]{16}\.[A-Za-z0-9+/]{22}==\.[A-Za-z0-9+/]{24}$/);
    expect(sealed).not.toContain(MALE_ID);
  });

  test('two encryptions of the same value differ', () => {
    expect(encrypt(MALE_ID, ENCRYPTION_KEY)).not.toBe(encrypt(MALE_ID, ENCRYPTION_KEY));
  });

  test.each([
    ['the ciphertext', 3],
    ['the authentication tag', 2],
    ['the IV', 1],
  ] as const)('decrypt throws when %s has been tampered with', (_title, part) => {
    const sealed = encrypt(MALE_ID, ENCRYPTION_KEY);

    expect(() => decrypt(tamper(sealed, part), ENCRYPTION_KEY)).toThrow(
      'Unsupported state or unable to authenticate data',
    );
  });

  test('decrypt throws with another key', () => {
    const sealed = encrypt(MALE_ID, ENCRYPTION_KEY);

    expect(() => decrypt(sealed, OTHER_ENCRYPTION_KEY)).toThrow('Unsupported state or unable to authenticate data');
  });

  test.each([
    ['an unknown version', (sealed: string) => sealed.replace(/^v1\./, 'v2.')],
    ['a missing part', (sealed: string) => sealed.split('.').slice(0, 3).join('.')],
    ['a plain value', () => MALE_ID],
  ])('decrypt refuses %s as an unknown format', (_title, change) => {
    const sealed = encrypt(MALE_ID, ENCRYPTION_KEY);

    expect(() => decrypt(change(sealed), ENCRYPTION_KEY)).toThrow('Unknown sealed value format');
  });
});

describe('lookupHash', () => {
  test('is the base64url HMAC-SHA256 of the value, so the same value and key always give the same hash', () => {
    expect(lookupHash(MALE_ID, LOOKUP_KEY)).toBe('uPycb8riz1St2CAS-fXV8OURwd4O5Oh_rmcmxbLSD1M');
    expect(lookupHash(MALE_ID, LOOKUP_KEY)).toBe(lookupHash(MALE_ID, LOOKUP_KEY));
  });

  test('differs with another key', () => {
    expect(lookupHash(MALE_ID, OTHER_LOOKUP_KEY)).not.toBe(lookupHash(MALE_ID, LOOKUP_KEY));
  });

  test('differs for another value', () => {
    expect(lookupHash(FEMALE_ID, LOOKUP_KEY)).not.toBe(lookupHash(MALE_ID, LOOKUP_KEY));
  });
});

describe('maskIdNumber', () => {
  test('keeps the region code (first 6) and the last 4, hiding the birth date', () => {
    expect(maskIdNumber('330602198503120011')).toBe('330602********0011');
    expect(maskIdNumber('33060219850312002X')).toBe('330602********002X');
  });
});

describe('maskPhone', () => {
  test('keeps the first 3 and last 4 digits of a mobile number', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
  });
});
