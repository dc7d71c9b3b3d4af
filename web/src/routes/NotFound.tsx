/** Any path the client does not know. */
export function NotFound() {
  return (
    <section class="page narrow" aria-labelledby="nf-title">
      <h1 id="nf-title">Page not found</h1>
      <p>
        There is nothing at this address. Go to the <a href="/chat">chat</a> or the <a href="/knowledge">knowledge explorer</a>.
      </p>
    </section>
  );
}
