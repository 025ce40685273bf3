// Visible strings come from _locales; pages mark elements with data-i18n="messageKey".

const ext = globalThis.browser ?? globalThis.chrome;

export function t(key, substitutions) {
  return ext.i18n.getMessage(key, substitutions) || key;
}

export function localize(root) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
}
