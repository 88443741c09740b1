import { Link } from '../../shared/router.js';

export function NotFoundPage({ message = '没有找到这个页面。' }: { message?: string }) {
  return (
    <main class="page page-narrow">
      <h1>页面不存在</h1>
      <p>{message}</p>
      <p>
        <Link to="" class="button">
          回到首页
        </Link>
      </p>
    </main>
  );
}
