#pragma once
// A small built-in page that exercises what a real page's parse and layout run: its tree
// construction's usual modes (head, body, lists, a table, a form, preformatted text), character
// references, attributes, inline runs and links. The thread that will build a load's page
// parses and lays this out first, while the load still waits for its server
// (Navigator::practise_building_beside): a process's first parse runs its code for the first
// time (page faults on the code, cold caches and branch predictors, an empty malloc arena) and
// took 0.24 to 0.33 ms for the demo's 4 KiB home page on this team's machine, against 0.16 to
// 0.19 for a second parse; after this page's, 0.19 to 0.21, and 0.18 after it twice.

#include <string_view>

namespace miniweb::browser::html {

inline constexpr std::string_view kPracticePage = R"(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width">
<title>Practice &amp; warm-up</title>
<link rel="stylesheet" href="/style.css">
<style>p { margin: 0 }</style>
<script>var practice = 1;</script>
</head>
<body>
<!-- a comment -->
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/about.html">About</a></li></ul></nav></header>
<main>
<h1>A heading</h1>
<h2>Another, <em>with</em> emphasis</h2>
<p>A paragraph with <b>bold</b>, <strong>strong</strong>, <i>italic</i> and <code>code</code>
text, a <a href="journey/step.html"><b>link</b></a>, &lt;escapes&gt;, &#39;numbers&#39;, &copy;
&nbsp;and a line<br>break.</p>
<ol>
  <li><a href="one.html"><b>One.</b></a> The first item of a list, long enough to wrap once
  at eighty columns as the paragraphs of a real page do.</li>
  <li><a href="two.html">Two</a> <code>two.</code></li>
</ol>
<blockquote><p>Quoted.</p></blockquote>
<pre>preformatted
  text</pre>
<table>
<tr><th>Name</th><th>Value</th></tr>
<tr><td>a</td><td><a href="a.html">1</a></td></tr>
</table>
<form action="/search" method="get">
<label>Search <input type="text" name="q" value="x"></label>
<input type="checkbox" name="c" checked>
<select name="s"><option value="1" selected>One</option><option>Two</option></select>
<textarea name="t">text</textarea>
<button type="submit">Go</button>
</form>
<img src="/image.png" alt="an image">
<hr>
<div class="section"><span>A span</span> in a div.</div>
</main>
<footer><p>The end.</p></footer>
</body>
</html>
)";

}  // namespace miniweb::browser::html
