"""URL inputs for the comparison with Node's WHATWG URL (url_diff.py): (base or None, input).

The table comes from RFC 3986 section 5.4 (every normal and abnormal example, against its base)
and from the WHATWG URL Standard's examples and its sections on hosts (IPv4 number forms,
IPv6, IDNA), percent-encode sets, backslashes, tab and newline removal, default ports, file
URLs and failures. `generated_cases` adds combinations of those pieces (fixed seed).
"""

import random

RFC3986_BASE = "http://a/b/c/d;p?q"

# RFC 3986 section 5.4.1.
RFC3986_NORMAL = [
    "g:h", "g", "./g", "g/", "/g", "//g", "?y", "g?y", "#s", "g#s", "g?y#s", ";x", "g;x",
    "g;x?y#s", "", ".", "./", "..", "../", "../g", "../..", "../../", "../../g",
]
# RFC 3986 section 5.4.2.
RFC3986_ABNORMAL = [
    "../../../g", "../../../../g", "/./g", "/../g", "g.", ".g", "g..", "..g", "./../g", "./g/.",
    "g/./h", "g/../h", "g;x=1/./y", "g;x=1/../y", "g?y/./x", "g?y/../x", "g#s/./x", "g#s/../x",
    "http:g",
]

WHATWG_ABSOLUTE = [
    # Scheme and host case, default ports, empty ports and paths.
    "HTTP://EXAMPLE.COM", "https://Example.Test:443/", "http://example.test:443/",
    "https://example.test:80/", "http://example.test:/", "http://example.test:0080/x",
    "http://example.test:65535", "http://example.test:65536/", "http://example.test:0/",
    "http://example.test:8a/", "http://example.test:-1/", "http://example.test./",
    "http://example.test?x", "http://example.test#f", "http://example.test/?", "http://example.test/#",
    # Userinfo.
    "http://user:pass@example.test/", "http://user@example.test/", "http://@example.test/",
    "http://a@b@example.test/", "http://user:pa:ss@example.test:81/",
    # Backslashes and slashes in special URLs (the URL Standard's "special authority slashes").
    "http:\\\\example.test\\a\\b", "http://example.test\\@evil.test/", "http:/example.test/",
    "http:example.test/", "http:///example.test/", "https:\\/example.test/",
    "http://example.test/a\\b?c\\d#e\\f",
    # Tabs and newlines are removed anywhere; leading and trailing C0 and spaces stripped.
    "  http://example.test/  ", "ht\ttp://exa\nmple.test/p\ra\tth", "http://example.test/\n?q\t=1",
    "\x01http://example.test/\x1f",
    # Percent-encode sets: path, query (special-query adds '), fragment, C0 controls, non-ASCII.
    "http://example.test/a b", "http://example.test/a\"b<c>d`e{f}g|h^i",
    "http://example.test/?a b\"c<d>e'f`g{h}", "http://example.test/#a b\"c<d>e`f{g}",
    "http://example.test/caf\u00e9?caf\u00e9#caf\u00e9", "http://example.test/%7e%7E%zz%",
    "http://example.test/\x7f", "http://example.test/?\x7f#\x7f", "http://example.test/a%2Fb",
    # Dot segments, also percent-encoded ones.
    "http://example.test/a/./b/../c", "http://example.test/a/%2e/b/%2E%2e/c",
    "http://example.test/a/.%2e/b", "http://example.test/..", "http://example.test/a/..?q",
    "http://example.test/a/%2e%2e%2f", "http://example.test/a/...b",
    # Hosts: IPv4 number forms.
    "http://127.0.0.1/", "http://0x7f.1/", "http://127.1/", "http://2130706433/",
    "http://0177.0.0.1/", "http://0x7F000001/", "http://0x7f.0x0.0x0.0x1/", "http://1.2.3.4./",
    "http://256.0.0.1/", "http://1.2.3.4.5/", "http://0x100000000/", "http://4294967295/",
    "http://4294967296/", "http://09.1/", "http://0x/", "http://1.2.3.09/", "http://foo.09/",
    "http://a.1/", "http://1.a/", "http://999999999999999999999/",
    # Hosts: IPv6.
    "http://[::1]/", "http://[::1]:8080/", "http://[0:0:0:0:0:0:0:1]/", "http://[::FFFF:127.0.0.1]/",
    "http://[2001:DB8::1]/", "http://[2001:db8:0:0:1:0:0:1]/", "http://[1::2::3]/",
    "http://[::1/", "http://[::1]x/", "http://[example.test]/", "http://[1:2:3:4:5:6:7:8:9]/",
    "http://[::ffff:1.2.3]/", "http://[fe80::1%25eth0]/",
    # Hosts: IDNA and forbidden code points.
    "http://b\u00fccher.example/", "http://B\u00dcCHER.example/", "http://xn--bcher-kva.example/",
    "http://\u2603.example/", "http://exa mple.test/", "http://exa%20mple.test/",
    "http://%41.test/", "http://a<b.test/", "http://a^b.test/", "http://a|b.test/",
    "http://a#b.test/", "http://a?b.test/", "http://", "http:///", "http://:80/",
    "http://example.test:80:80/",
    # Schemes miniweb does not fetch, and no scheme at all.
    "mailto:someone@example.test", "data:text/plain,hi", "javascript:alert(1)", "ftp://a/b",
    "example.test", "//example.test/", "/path", "1http://a/", "h+t-t.p://a/",
    # file: URLs.
    "file:///usr/share/doc/index.html", "file://localhost/tmp/x", "file:///a/../b",
    "file://remote.test/x", "file:/tmp/x", "file:", "FILE:///tmp/%20x",
]

WHATWG_RELATIVE = [
    # Relative references against a page, as links in HTML are.
    ("https://www.example.test/docs/index.html", reference) for reference in [
        "about.html", "/", "//other.test/x", "../../../x", "?q=1", "#top", "a b.html",
        "\\x\\y", "\\\\other.test\\x", "https:x", "http:x", "https://other.test", "  /x  ",
        "/a/\n/b", "./%2e/x", "..\\..\\x", "mailto:a@b", "caf\u00e9", "//[::1]:81/",
        "//0x7f.1/", "http://user@other.test/",
    ]
]


def table_cases():
    cases = [(RFC3986_BASE, reference) for reference in RFC3986_NORMAL + RFC3986_ABNORMAL]
    cases += [(None, text) for text in WHATWG_ABSOLUTE]
    cases += WHATWG_RELATIVE
    return cases


SCHEMES = ["http", "https", "HTTP", "file", "ftp", "ws"]
SLASHES = ["//", "//", "/", "\\\\", "///", ""]
USERINFO = ["", "", "", "u@", "u:p@", "@", "u@v@"]
HOSTS = ["example.test", "EXAMPLE.test", "127.0.0.1", "0x7f.1", "127.1", "[::1]", "[::ffff:1.2.3.4]",
         "b\u00fccher.test", "exa mple.test", "a%41.test", "", "256.1.1.1", "a..b", "1.2.3.4.",
         "[1::]"]
PORTS = ["", "", ":", ":80", ":443", ":8080", ":0", ":65536", ":x"]
PATHS = ["", "/", "/a/b", "/a/../b", "/./a", "/a b", "/a%2e%2e/b", "/%2e%2E/x", "/caf\u00e9",
         "\\a\\b", "/a\tb", "/{}", "/a?", "/\"<>`"]
QUERIES = ["", "", "?", "?a=b", "?a b", "?'\"", "?\u00e9", "?a#b"]
FRAGMENTS = ["", "", "#", "#f", "#a b", "#`", "#\u00e9"]


def generated_cases(count, seed):
    """Absolute URLs from pieces, and references resolved against a few bases."""
    rng = random.Random(seed)
    bases = [None, None, RFC3986_BASE, "https://www.example.test/docs/index.html"]
    cases = []
    for _ in range(count):
        text = (rng.choice(SCHEMES) + ":" + rng.choice(SLASHES) + rng.choice(USERINFO)
                + rng.choice(HOSTS) + rng.choice(PORTS) + rng.choice(PATHS)
                + rng.choice(QUERIES) + rng.choice(FRAGMENTS))
        base = rng.choice(bases)
        if base and rng.random() < 0.7:
            text = text[text.index(":") + 1:] if rng.random() < 0.5 else (
                rng.choice(PATHS).lstrip("/") + rng.choice(QUERIES) + rng.choice(FRAGMENTS))
        cases.append((base, text))
    return cases
