package docscheck

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Page is one Markdown file, read as far as the checks need: its headings'
// anchors, its links, its fenced code blocks and its prose.
type Page struct {
	// Path is the file's path relative to the repository root, with forward
	// slashes.
	Path string
	// Lines are the file's lines, without line endings.
	Lines []string
	// Anchors are the fragment ids GitHub gives the page: one per heading,
	// and any HTML id or name attribute.
	Anchors map[string]bool
	// headings are the anchors of the headings, by line index, in order.
	headings []heading
	// Links are every inline link and image, and every link reference
	// definition, outside code.
	Links []Link
	// Blocks are the fenced code blocks.
	Blocks []Block
	// Prose holds each line outside fenced blocks with its code spans, links
	// and HTML comments taken out, by line number (1-based).
	Prose map[int]string
	// Code holds each code span outside fenced blocks, by line number.
	Code map[int][]string
}

type heading struct {
	index  int
	anchor string
}

// Link is one link target and the line it is on.
type Link struct {
	Line   int
	Target string
}

// Block is a fenced code block.
type Block struct {
	// Line is the line of the opening fence (1-based); End that of the
	// closing fence.
	Line, End int
	// Lang is the info string's first word: "yaml", "sh", "".
	Lang string
	// Text is the content, each line ending in a newline.
	Text string
	// Marker is the HTML comment on the nearest non-blank line before the
	// fence, without <!-- and -->, trimmed: "golden: path".
	Marker string
}

var (
	fenceLine   = regexp.MustCompile("^\\s*(`{3,}|~{3,})\\s*([^`\\s]*)")
	headingLine = regexp.MustCompile(`^ {0,3}(#{1,6})\s+(.*?)(\s+#+)?\s*$`)
	// inlineLink is [text](target "title") or ![alt](target); the text may
	// hold one level of brackets.
	inlineLink    = regexp.MustCompile(`!?\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+"[^"]*")?\s*\)`)
	referenceDef  = regexp.MustCompile(`^ {0,3}\[[^\]]+\]:\s*(\S+)`)
	htmlComment   = regexp.MustCompile(`<!--.*?-->`)
	htmlAnchor    = regexp.MustCompile(`<a\s[^>]*\b(?:id|name)="([^"]+)"`)
	htmlTag       = regexp.MustCompile(`</?[A-Za-z][^>]*>`)
	markerComment = regexp.MustCompile(`^\s*<!--\s*(.*?)\s*-->\s*$`)
)

// Parse reads a Markdown file at path (relative to the repository root).
func Parse(path string, src []byte) *Page {
	text := strings.ReplaceAll(string(src), "\r\n", "\n")
	p := &Page{
		Path:    path,
		Lines:   strings.Split(strings.TrimSuffix(text, "\n"), "\n"),
		Anchors: map[string]bool{},
		Prose:   map[int]string{},
		Code:    map[int][]string{},
	}
	slugCount := map[string]int{}
	var open *Block
	var fence string
	for i, line := range p.Lines {
		n := i + 1
		if open != nil {
			if m := fenceLine.FindStringSubmatch(line); m != nil && m[2] == "" &&
				m[1][0] == fence[0] && len(m[1]) >= len(fence) {
				open.End = n
				p.Blocks = append(p.Blocks, *open)
				open = nil
				continue
			}
			open.Text += line + "\n"
			continue
		}
		if m := fenceLine.FindStringSubmatch(line); m != nil {
			fence = m[1]
			open = &Block{Line: n, Lang: m[2], Marker: p.markerBefore(i)}
			continue
		}
		if m := headingLine.FindStringSubmatch(line); m != nil {
			slug := Slug(m[2])
			anchor := slug
			if k := slugCount[slug]; k > 0 {
				anchor += "-" + strconv.Itoa(k)
			}
			slugCount[slug]++
			p.Anchors[anchor] = true
			p.headings = append(p.headings, heading{index: i, anchor: anchor})
		}
		for _, m := range htmlAnchor.FindAllStringSubmatch(line, -1) {
			p.Anchors[m[1]] = true
		}
		prose, spans := cutCodeSpans(htmlComment.ReplaceAllString(line, ""), false)
		if len(spans) > 0 {
			p.Code[n] = spans
		}
		if m := referenceDef.FindStringSubmatch(prose); m != nil {
			p.Links = append(p.Links, Link{Line: n, Target: m[1]})
			continue
		}
		for _, m := range inlineLink.FindAllStringSubmatch(prose, -1) {
			p.Links = append(p.Links, Link{Line: n, Target: strings.Trim(m[2], "<>")})
		}
		p.Prose[n] = inlineLink.ReplaceAllString(prose, "")
	}
	if open != nil {
		// GitHub runs an unclosed fence to the end of the file.
		open.End = len(p.Lines)
		p.Blocks = append(p.Blocks, *open)
	}
	return p
}

// markerBefore is the HTML comment on the nearest non-blank line before line
// index i, or "".
func (p *Page) markerBefore(i int) string {
	for j := i - 1; j >= 0; j-- {
		if strings.TrimSpace(p.Lines[j]) == "" {
			continue
		}
		if m := markerComment.FindStringSubmatch(p.Lines[j]); m != nil {
			return m[1]
		}
		return ""
	}
	return ""
}

// cutCodeSpans returns line with its code spans taken out (or, with keep,
// replaced by their content), and the spans' contents. A span opens with a
// run of backquotes and closes with a run of the same length.
func cutCodeSpans(line string, keep bool) (string, []string) {
	var out strings.Builder
	var spans []string
	for {
		start := strings.IndexByte(line, '`')
		if start < 0 {
			out.WriteString(line)
			return out.String(), spans
		}
		run := backquoteRun(line[start:])
		rest := line[start+run:]
		end := closingRun(rest, run)
		if end < 0 {
			// No closing run: the backquotes are literal text.
			out.WriteString(line[:start+run])
			line = rest
			continue
		}
		span := strings.TrimSpace(rest[:end])
		out.WriteString(line[:start])
		if keep {
			out.WriteString(span)
		}
		spans = append(spans, span)
		line = rest[end+run:]
	}
}

func backquoteRun(s string) int {
	n := 0
	for n < len(s) && s[n] == '`' {
		n++
	}
	return n
}

// closingRun is the index in s of the first run of exactly n backquotes, or
// -1.
func closingRun(s string, n int) int {
	for i := 0; i < len(s); {
		if s[i] != '`' {
			i++
			continue
		}
		run := backquoteRun(s[i:])
		if run == n {
			return i
		}
		i += run
	}
	return -1
}

// Slug is the anchor GitHub gives a heading: its text as rendered (code
// spans, links and emphasis reduced to their text), lower-cased, with every
// character that is not a letter, a digit, a hyphen, an underscore or a
// space dropped, and each space turned into a hyphen. A repeated slug gets
// -1, -2, ... (Parse does that).
func Slug(heading string) string {
	text, _ := cutCodeSpans(heading, true)
	text = inlineLink.ReplaceAllString(text, "$1")
	text = htmlTag.ReplaceAllString(text, "")
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Table is the first pipe table after the heading whose anchor is anchor:
// its header cells and its rows' cells, trimmed. ok is false when there is
// no such heading or no table before the next heading.
func (p *Page) Table(anchor string) (header []string, rows [][]string, ok bool) {
	for h, head := range p.headings {
		if head.anchor != anchor {
			continue
		}
		end := len(p.Lines)
		if h+1 < len(p.headings) {
			end = p.headings[h+1].index
		}
		return tableIn(p.Lines[head.index+1 : end])
	}
	return nil, nil, false
}

// tableIn is the first pipe table in lines.
func tableIn(lines []string) (header []string, rows [][]string, ok bool) {
	for _, line := range lines {
		trimmed := strings.TrimSpace(line)
		if !strings.HasPrefix(trimmed, "|") {
			if ok {
				break
			}
			continue
		}
		cells := splitRow(trimmed)
		switch {
		case !ok:
			header, ok = cells, true
		case isDelimiterRow(cells):
		default:
			rows = append(rows, cells)
		}
	}
	return header, rows, ok
}

// splitRow splits "| a | `b|c` |" into its cells; a pipe inside a code span
// or escaped as \| does not split.
func splitRow(row string) []string {
	row = strings.TrimSuffix(strings.TrimPrefix(row, "|"), "|")
	var cells []string
	var cell strings.Builder
	inCode := false
	for i := 0; i < len(row); i++ {
		c := row[i]
		switch {
		case c == '\\' && i+1 < len(row) && row[i+1] == '|':
			cell.WriteByte('|')
			i++
		case c == '`':
			inCode = !inCode
			cell.WriteByte(c)
		case c == '|' && !inCode:
			cells = append(cells, strings.TrimSpace(cell.String()))
			cell.Reset()
		default:
			cell.WriteByte(c)
		}
	}
	return append(cells, strings.TrimSpace(cell.String()))
}

func isDelimiterRow(cells []string) bool {
	for _, c := range cells {
		if strings.Trim(c, ":-") != "" || !strings.Contains(c, "-") {
			return false
		}
	}
	return true
}
