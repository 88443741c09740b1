import { Link } from '../../shared/router.js';
import { FUNCTIONS } from '../app.js';

export function HomePage({ signedIn }: { signedIn: boolean }) {
  return (
    <>
      <section class="hero">
        <p class="hero-title">工会就在身边</p>
        <p class="hero-text">申请帮扶、查看进度、了解政策，都可以在这里办理。</p>
        {!signedIn && (
          <Link to="progress" class="button button-primary button-block">
            手机号登录
          </Link>
        )}
      </section>
      <ul class="tiles">
        {FUNCTIONS.map((f) => (
          <li key={f.path}>
            <Link to={f.path} class="tile">
              <span class="tile-icon" aria-hidden="true">
                {f.icon}
              </span>
              <span class="tile-label">{f.label}</span>
              <span class="tile-hint">{f.hint}</span>
            </Link>
          </li>
        ))}
        <li>
          <Link to="stations" class="tile tile-station">
            <span class="tile-icon" aria-hidden="true">
              驿
            </span>
            <span class="tile-label">附近驿站</span>
            <span class="tile-hint">找最近的、正在开放的越工驿站</span>
          </Link>
        </li>
      </ul>
    </>
  );
}
