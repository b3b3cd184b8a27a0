package datasets

import (
	"fmt"
	"net/url"
	"strings"
)

// checkPaperwork checks the references to the DPIA or data sharing
// agreement: at least one, none repeated, each one a reference.
func checkPaperwork(fp *fileProblems, paperwork References) {
	checkItems(fp, "paperwork", paperwork, "list the DPIA or data sharing agreement (its link, or its name and identifier)", "reference", PaperworkProblem)
}

// paperworkAdvice is what to write instead of text that is not a reference.
const paperworkAdvice = "write a link, https://<link to the DPIA or data sharing agreement>, or the document's name and identifier, e.g. DPIA 17056"

// PaperworkProblem says why reference cannot name the paperwork of an
// export, and what to write instead; "" when it can. It is a Problem's
// Message, without the file and field.
//
// A reference is one line of text that holds a web link (http:// or
// https:// and a host) or an identifier: a word (without the punctuation
// around it) of at least 3 characters with a digit in it, such as 17056 in
// "DPIA 17056", 8900 in "Movement form reference no. 8900" or DSA-0042. It
// may hold both ("See https://x.example/y and ref 123"). Refused are:
//   - text with neither, which names no document a reviewer could open
//     ("using toy data", "n/a", "none", "DPIA v2");
//   - text saying the paperwork is still to come, with a word TBD, TBC,
//     TBA or TODO ("TBD", "OneTrust TBD"), whatever else it holds;
//   - a link that cannot be followed (ftp://..., https:///x, www.x without
//     https://), wherever it is.
func PaperworkProblem(reference string) string {
	words := strings.Fields(reference)
	switch {
	case len(words) == 0:
		return "is empty: " + paperworkAdvice
	case strings.ContainsAny(strings.TrimSpace(reference), "\r\n"):
		return "is on more than one line: write each reference on one line, and several as a list, one '  - ' line each"
	}
	linked, identified := false, false
	for _, word := range words {
		word = strings.Trim(word, `.,;:!?()[]{}<>"'`)
		switch {
		case isLink(word) && !isWebLink(word):
			return badLinkMessage(word, len(words) == 1)
		case isLink(word):
			linked = true
		case placeholders[strings.ToUpper(word)]:
			return fmt.Sprintf("says the paperwork is still to come (%s), but data is shared only once it exists: %s", word, paperworkAdvice)
		case len(word) >= 3 && strings.ContainsAny(word, "0123456789"):
			identified = true
		}
	}
	if !linked && !identified {
		return "names no document: it has neither a web link nor an identifier (a word of at least 3 characters with a digit in it): " + paperworkAdvice
	}
	return ""
}

// placeholders are the words that stand in for paperwork not written yet.
var placeholders = map[string]bool{"TBD": true, "TBC": true, "TBA": true, "TODO": true}

// isLink is true for a word written as a link, good or bad.
func isLink(word string) bool {
	return strings.Contains(word, "://") || strings.HasPrefix(strings.ToLower(word), "www.")
}

// isWebLink is true for an http or https link with a host.
func isWebLink(word string) bool {
	u, err := url.Parse(word)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Hostname() != ""
}

func badLinkMessage(link string, alone bool) string {
	write := paperworkAdvice
	if strings.HasPrefix(strings.ToLower(link), "www.") {
		write = "write https://" + link
	}
	if alone {
		return "is not a web link: " + write
	}
	return fmt.Sprintf("has %s, which is not a web link (http:// or https:// and a host): %s", shorten(link), write)
}
