import { useCallback, useRef, useState } from 'preact/hooks';
import { ApiError, newIdempotencyKey, toApiError } from './api.js';

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

export interface Submission {
  /** True from sending until a failure; a form that succeeded closes or moves on, so it stays busy. */
  busy: boolean;
  /** The last refusal, the API's or the form's own, for an ErrorBanner. */
  error: unknown;
  /** Refuses before sending (an incomplete form), in the words given. */
  refuse: (message: string) => void;
  /** Sends once with the form's key: a click while a request is out is ignored, and a failure is shown. */
  send: (request: (idempotencyKey: string) => Promise<void>) => Promise<void>;
}

/** One form's submission: its key (as useFormKey), whether a request is out, and the refusal to show. */
export function useSubmission(): Submission {
  const [idempotencyKey, afterFailure] = useFormKey();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // A ref as well as state: two clicks in one frame both see the state from before the first.
  const out = useRef(false);

  const refuse = useCallback((message: string) => setError(new ApiError(0, 'FORM_INCOMPLETE', message)), []);
  const send = async (request: (key: string) => Promise<void>) => {
    if (out.current) {
      return;
    }
    out.current = true;
    setBusy(true);
    setError(null);
    try {
      await request(idempotencyKey);
    } catch (failure) {
      afterFailure(failure);
      setError(failure);
      setBusy(false);
      out.current = false;
    }
  };
  return { busy, error, refuse, send };
}
