import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Personal data at rest: ID-card numbers and phones are encrypted (AES-256-GCM, random IV per value) and
 * looked up through a keyed hash (HMAC-SHA256), so a stolen table yields neither the values nor a way to
 * test guesses without the key. Answers only ever show the masked form.
 */
export interface PersonalDataKeys {
  encryptionKey: Buffer;
  lookupHashKey: Buffer;
}

const VERSION = 'v1';

export function encrypt(plain: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join('.');
}

export function decrypt(sealed: string, key: Buffer): string {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || body === undefined) {
    throw new Error('Unknown sealed value format');
  }
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
}

export const lookupHash = (value: string, key: Buffer): string =>
  createHmac('sha256', key).update(value).digest('base64url');

/** `330602********123X`: region code and last four kept, birth date hidden. */
export const maskIdNumber = (idNumber: string): string => `${idNumber.slice(0, 6)}********${idNumber.slice(-4)}`;

/** `138****5678`. */
export const maskPhone = (phone: string): string => `${phone.slice(0, 3)}****${phone.slice(-4)}`;

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

/** Full-width digits and letters become ASCII, spaces go, a lower-case x becomes X. */
export function normaliseIdNumber(raw: string): string {
  return raw
    .replace(/[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\s\u3000]/g, '')
    .toUpperCase();
}

export type IdNumberProblem = 'length' | 'characters' | 'birth_date' | 'check_digit';

export interface IdNumberFacts {
  birthDate: string;
  gender: 'female' | 'male';
}

/** Validates a normalised 18-character resident ID number (GB 11643): birth date and ISO 7064 MOD 11-2 check. */
export function checkIdNumber(idNumber: string): IdNumberFacts | IdNumberProblem {
  if (idNumber.length !== 18) {
    return 'length';
  }
  if (!/^\d{17}[\dX]$/.test(idNumber)) {
    return 'characters';
  }
  const birthDate = `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`;
  const parsed = new Date(`${birthDate}T00:00:00Z`);
  if (
    Number.isNaN(parsed.getTime()) ||
    parsed.toISOString().slice(0, 10) !== birthDate ||
    parsed.getUTCFullYear() < 1900 ||
    parsed.getTime() > Date.now()
  ) {
    return 'birth_date';
  }
  const sum = WEIGHTS.reduce((acc, weight, i) => acc + weight * Number(idNumber[i]), 0);
  if (CHECK_CHARS[sum % 11] !== idNumber[17]) {
    return 'check_digit';
  }
  return { birthDate, gender: Number(idNumber[16]) % 2 === 1 ? 'male' : 'female' };
}

/** Completes 17 digits with their check character; used by seeds and tests to make valid fictional numbers. */
export function withCheckDigit(first17: string): string {
  const sum = WEIGHTS.reduce((acc, weight, i) => acc + weight * Number(first17[i]), 0);
  return first17 + CHECK_CHARS[sum % 11];
}
