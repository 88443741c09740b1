import { useState } from 'preact/hooks';
import { ErrorBanner, Notice } from '../../shared/ui.js';
import { api, requestCode, signIn } from '../data.js';

/** Phone and one-time code (POST /portal/auth/code, then /portal/auth/login). */
export function LoginPage({ notice, onSignedIn }: { notice: string | null; onSignedIn: () => void }) {
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="phone-card"
      onSubmit={(e) => {
        e.preventDefault();
        void run(async () => {
          if (!sent) {
            await requestCode(phone.trim());
            setSent(true);
            return;
          }
          const answer = await signIn(phone.trim(), code.trim());
          api.setToken(answer.token);
          onSignedIn();
        });
      }}
    >
      <p class="muted">请用在工会登记的手机号登录。</p>
      {notice && <Notice tone="warn">{notice}</Notice>}
      <ErrorBanner error={error} />
      <label class="field">
        <span>手机号</span>
        <input
          name="phone"
          type="tel"
          inputMode="numeric"
          autocomplete="tel"
          required
          maxLength={11}
          value={phone}
          onInput={(e) => setPhone(e.currentTarget.value)}
        />
      </label>
      {sent && (
        <label class="field">
          <span>验证码</span>
          <input
            name="code"
            inputMode="numeric"
            autocomplete="one-time-code"
            required
            maxLength={8}
            value={code}
            onInput={(e) => setCode(e.currentTarget.value)}
          />
        </label>
      )}
      <button type="submit" class="button button-primary button-block" disabled={busy}>
        {busy ? '请稍候……' : sent ? '登录' : '获取验证码'}
      </button>
      {sent && (
        <button
          type="button"
          class="button button-quiet button-block"
          disabled={busy}
          onClick={() => void run(async () => void (await requestCode(phone.trim())))}
        >
          重新发送验证码
        </button>
      )}
    </form>
  );
}
