import assert from "node:assert/strict";
import { test } from "node:test";

import { normaliseSite, siteOf } from "../lib/site.js";

test("the registrable domain of ordinary hosts", () => {
  assert.equal(siteOf("https://www.example.com/privacy?x=1"), "example.com");
  assert.equal(siteOf("http://example.com"), "example.com");
  assert.equal(siteOf("https://a.b.c.example.org:8443/"), "example.org");
  assert.equal(siteOf("https://WWW.Example.COM./"), "example.com");
});

test("multi-label public suffixes keep one more label", () => {
  assert.equal(siteOf("https://www.bbc.co.uk/news"), "bbc.co.uk");
  assert.equal(siteOf("https://shop.example.com.au/"), "example.com.au");
});

// Expected values are the server's: monitor.domains.registrable_domain (tldextract, ICANN
// section). extension-tools/make_psl.py builds lib/psl.js from the same snapshot; checked
// against the server on 10,861 hosts (every rule, wildcard and exception) when generated.
test("the site agrees with the server's on wildcards, exceptions and private suffixes", () => {
  assert.equal(siteOf("https://a.city.kawasaki.jp/"), "city.kawasaki.jp");
  assert.equal(siteOf("https://a.b.kawasaki.jp/"), "a.b.kawasaki.jp");
  assert.equal(siteOf("https://a.b.ck/"), "a.b.ck");
  assert.equal(siteOf("https://www.ck/"), "www.ck");
  assert.equal(siteOf("https://a.b.example.中国/"), "example.xn--fiqs8s");
  // Private-section suffixes are not suffixes for the server (tldextract's default).
  assert.equal(siteOf("https://someone.github.io/project"), "github.io");
  assert.equal(siteOf("https://www.shop.test:8080/"), "shop.test");
});

test("hosts that are no site at all give null", () => {
  for (const url of [
    "chrome://extensions",
    "about:blank",
    "file:///tmp/x.html",
    "http://localhost:8080/",
    "http://127.0.0.1:8080/",
    "http://[::1]/",
    "https://co.uk/",
    "not a url",
    "",
  ]) {
    assert.equal(siteOf(url), null, url);
  }
});

test("international domains come out IDNA-encoded, as the server hashes them", () => {
  assert.equal(siteOf("https://www.bücher.de/datenschutz"), "xn--bcher-kva.de");
});

test("sites typed by a person are normalised", () => {
  assert.equal(normaliseSite(" Example.COM "), "example.com");
  assert.equal(normaliseSite("https://www.example.co.uk/privacy"), "example.co.uk");
  assert.equal(normaliseSite("not a site"), null);
  assert.equal(normaliseSite(""), null);
});
