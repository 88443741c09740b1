import { useState } from 'preact/hooks';
import { ErrorBanner, Notice } from '../../shared/ui.js';
import { api, login, type Me } from '../data.js';

/** Staff login (POST /auth/login); the token is kept in this tab's sessionStorage only. */
export function LoginPage({ message, onSignedIn }: { message?: string; onSignedIn: (me: Me) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) {
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const answer = await login(username.trim(), password);
      api.setToken(answer.token);
      onSignedIn(answer.user);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <form class="login-card" onSubmit={(event) => void submit(event)} aria-labelledby="login-title">
        <div class="login-brand">
          <span class="brand-mark" aria-hidden="true">
            暖
          </span>
          <div>
            <h1 id="login-title">越温暖 · 工会帮扶工作台</h1>
            <p class="muted">困难职工帮扶工单、时限督办与送温暖资金</p>
          </div>
        </div>
        {message && !error && <Notice tone="warn">{message}</Notice>}
        <ErrorBanner error={error} />
        <label class="field">
          <span>用户名</span>
          <input
            name="username"
            autocomplete="username"
            required
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span>密码</span>
          <input
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        <button type="submit" class="button button-primary button-block" disabled={busy}>
          {busy ? '正在登录……' : '登录'}
        </button>
        <p class="muted small">登录状态只保存在当前浏览器标签页中，关闭标签页即退出。</p>
      </form>
    </main>
  );
}
