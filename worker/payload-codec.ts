import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { METADATA_ENCODING_KEY } from '@temporalio/common';
import proto from '@temporalio/proto';

const { temporal } = proto;

const ENCODING = 'binary/encrypted';
const KEY_ID = 'yue-1';

/**
 * Encrypts every payload (workflow and activity arguments, results, update bodies, memos) with AES-256-GCM
 * before it reaches the Temporal server, so free text such as a case summary or a home-visit finding never
 * sits in history in the clear. Search attributes and workflow ids are outside its reach: they carry codes
 * and ids only. Client (API) and worker must use the same key.
 * Known limit: no codec server is wired to the Temporal Web UI yet, so operators see payloads there encrypted.
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly key: Buffer) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', this.key, iv);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: Buffer.from(ENCODING),
          'encryption-key-id': Buffer.from(KEY_ID),
        },
        data: Buffer.concat([iv, cipher.getAuthTag(), body]),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || Buffer.from(encoding).toString() !== ENCODING || !payload.data) {
        return payload;
      }
      const data = Buffer.from(payload.data);
      const decipher = createDecipheriv('aes-256-gcm', this.key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(12, 28));
      const plain = Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}
