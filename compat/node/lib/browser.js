// A scripted browser for Warden's login page: fetch with a cookie jar,
// redirects followed by hand (so the relying party's callback is caught, not
// fetched) and the page's HTML forms read with parse5 and posted back with
// every hidden field — the CSRF token and the auth request id included.

import { parse } from 'parse5';

export class Browser {
  constructor() {
    this.cookies = []; // {name, value, path}: every cookie here is for the one loopback host
  }

  cookieHeader(url) {
    return this.cookies
      .filter((c) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : c.path + '/'))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  store(url, res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((p) => p.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let cpath = url.pathname.replace(/\/[^/]*$/, '') || '/';
      let expired = false;
      for (const a of attrs) {
        const [k, v = ''] = a.split('=');
        if (k.toLowerCase() === 'path' && v.startsWith('/')) cpath = v;
        if (k.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
        if (k.toLowerCase() === 'expires' && Date.parse(v) <= Date.now()) expired = true;
      }
      this.cookies = this.cookies.filter((c) => !(c.name === name && c.path === cpath));
      if (!expired) this.cookies.push({ name, value, path: cpath });
    }
  }

  cookie(name) {
    return this.cookies.find((c) => c.name === name)?.value;
  }

  // request follows redirects until a page answers, or until a redirect
  // leads to a URL starting with stopAt (the relying party's callback), which
  // is returned as {redirect: URL} without being fetched.
  async request(url, init = {}, stopAt) {
    url = new URL(url);
    for (let hops = 0; hops < 20; hops++) {
      const headers = new Headers(init.headers);
      const cookie = this.cookieHeader(url);
      if (cookie) headers.set('Cookie', cookie);
      const res = await fetch(url, { ...init, headers, redirect: 'manual' });
      this.store(url, res);
      const loc = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && loc) {
        await res.arrayBuffer();
        url = new URL(loc, url);
        if (stopAt && url.href.startsWith(stopAt)) return { redirect: url };
        init = {}; // 302/303 become GET
        continue;
      }
      const body = await res.text();
      return new Page(url, res.status, body);
    }
    throw new Error(`too many redirects from ${url}`);
  }

  get(url, stopAt) {
    return this.request(url, {}, stopAt);
  }

  // submit posts form i of page with the fields in set added or replaced.
  submit(page, set = {}, stopAt, i = 0) {
    const form = page.forms[i];
    if (!form) throw new Error(`page ${page.url} has ${page.forms.length} forms, want form ${i}: ${page.text()}`);
    const body = new URLSearchParams(form.fields);
    for (const [k, v] of Object.entries(set)) body.set(k, v);
    return this.request(new URL(form.action, page.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
    }, stopAt);
  }
}

// Page is an HTML page the browser ended up on.
export class Page {
  constructor(url, status, body) {
    this.url = url;
    this.status = status;
    this.body = body;
    this.doc = parse(body);
    this.forms = [];
    walk(this.doc, (n) => {
      if (n.nodeName !== 'form') return true;
      const form = { action: attr(n, 'action') ?? '', fields: [] };
      walk(n, (m) => {
        if (m.nodeName === 'input' && attr(m, 'name') && attr(m, 'value') !== undefined) {
          form.fields.push([attr(m, 'name'), attr(m, 'value')]);
        }
        return true;
      });
      this.forms.push(form);
      return false;
    });
  }

  // has tells whether the page has an input named name.
  has(name) {
    let found = false;
    walk(this.doc, (n) => {
      if (n.nodeName === 'input' && attr(n, 'name') === name) found = true;
      return !found;
    });
    return found;
  }

  // text is the page's visible text with white space collapsed.
  text() {
    const parts = [];
    walk(this.doc, (n) => {
      if (n.nodeName === 'style' || n.nodeName === 'script') return false;
      if (n.nodeName === '#text') parts.push(n.value);
      return true;
    });
    return parts.join(' ').split(/\s+/).filter(Boolean).join(' ');
  }
}

function attr(n, name) {
  return n.attrs?.find((a) => a.name === name)?.value;
}

function walk(n, visit) {
  if (!visit(n)) return;
  for (const c of n.childNodes ?? []) walk(c, visit);
  if (n.content) walk(n.content, visit); // <template>
}
