import { useCallback, useState } from 'preact/hooks';
import { newIdempotencyKey, toApiError } from './api.js';

/**
 * The Idempotency-Key of one form, and what to call when a submission fails. The key stays while the answer may
 * have been lost or the write may still have happened (no answer, or a 5xx such as an action that timed out), so
 * a second click acts once. After a 4xx the API has refused the request for good and stored that refusal under
 * the key; the corrected form is a new request and needs a new key, or the API would answer
 * IDEMPOTENCY_KEY_REUSED.
 */
export function useFormKey(): [key: string, afterFailure: (error: unknown) => void] {
  const [key, setKey] = useState(newIdempotencyKey);
  const afterFailure = useCallback((error: unknown) => {
    const { status } = toApiError(error);
    if (status >= 400 && status < 500) {
      setKey(newIdempotencyKey());
    }
  }, []);
  return [key, afterFailure];
}
