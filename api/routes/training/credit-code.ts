/**
 * 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-character alphabet, the last a check character
 * computed from the first 17 with fixed weights, modulo 31.
 */
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** The check character of the first 17 characters, or null when one of them is outside the alphabet. */
function checkCharacter(first17: string): string | null {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = ALPHABET.indexOf(first17[i] ?? '');
    if (value < 0) {
      return null;
    }
    sum += value * WEIGHTS[i]!;
  }
  return ALPHABET[(31 - (sum % 31)) % 31]!;
}

/** Null when the code is valid, otherwise why not, in Chinese. */
export function creditCodeProblem(code: string): string | null {
  if (code.length !== 18) {
    return '统一社会信用代码须为 18 位';
  }
  const check = checkCharacter(code.slice(0, 17));
  if (check === null || !ALPHABET.includes(code[17]!)) {
    return '统一社会信用代码只能由数字和大写字母（不含 I、O、Z、S、V）组成';
  }
  return check === code[17] ? null : '统一社会信用代码校验位不正确，请核对';
}

/** The first 17 characters with their check character appended (for fictional seed and test enterprises). */
export function withCreditCheck(first17: string): string {
  const check = checkCharacter(first17);
  if (check === null) {
    throw new Error(`"${first17}" is not 17 characters of the credit code alphabet`);
  }
  return `${first17}${check}`;
}
