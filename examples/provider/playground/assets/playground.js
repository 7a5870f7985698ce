// The example's only script, loaded from its own origin (CSP `script-src 'self'`). Everything on
// the pages works without it; it adds conveniences: copy buttons on the HTTP blocks, and keeping
// the scroll position when the secrets switch reloads the page.
(() => {
  const SCROLL_KEY = 'playground-scroll';

  function addCopyButtons() {
    for (const block of document.querySelectorAll('pre[data-copy]')) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'copy';
      button.textContent = 'Copy';
      button.addEventListener('click', async () => {
        const text = [...block.childNodes]
          .filter((node) => node !== button)
          .map((node) => node.textContent)
          .join('');
        try {
          await navigator.clipboard.writeText(text);
          button.textContent = 'Copied';
        } catch {
          button.textContent = 'Copy failed';
        }
        setTimeout(() => {
          button.textContent = 'Copy';
        }, 1500);
      });
      block.append(button);
    }
  }

  function keepScrollOnSecretsToggle() {
    for (const form of document.querySelectorAll('form[data-keep-scroll]')) {
      form.addEventListener('submit', () => {
        sessionStorage.setItem(SCROLL_KEY, JSON.stringify({ path: location.pathname, y: window.scrollY }));
      });
    }
    const saved = sessionStorage.getItem(SCROLL_KEY);
    if (saved === null) return;
    sessionStorage.removeItem(SCROLL_KEY);
    try {
      const { path, y } = JSON.parse(saved);
      if (path === location.pathname && typeof y === 'number') window.scrollTo(0, y);
    } catch {
      // A malformed entry is simply dropped.
    }
  }

  addCopyButtons();
  keepScrollOnSecretsToggle();
  document.documentElement.dataset.enhanced = 'true';
})();
