package datasets

import (
	"sort"
	"strings"
)

// FileField is the Field of a problem with a whole file or directory rather
// than one of its fields: it cannot be read, is not YAML, is misplaced.
const FileField = "(file)"

// Problem is one mistake in the datasets directory, worded for the analyst
// who wrote the file.
type Problem struct {
	// File is the path of the file (or directory) at fault, as Load was given
	// it joined with push/ or pull/ and the file name.
	File string
	// Field is the field at fault, with a list index where there is one
	// ("users[1]"), or FileField for the whole file.
	Field string
	// Message says what is wrong and what to write instead.
	Message string
}

// String is "<file>: <field>: <message>", one line.
func (p Problem) String() string { return p.File + ": " + p.Field + ": " + p.Message }

// Problems is every mistake Load found, in a deterministic order: by file,
// then in the order the file shows them.
type Problems []Problem

// Error is every problem, one per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Files is the number of distinct files with a problem.
func (ps Problems) Files() int {
	seen := map[string]bool{}
	for _, p := range ps {
		seen[p.File] = true
	}
	return len(seen)
}

// sortByFile orders problems by file and keeps each file's own order.
func (ps Problems) sortByFile() {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].File < ps[j].File })
}

// fileProblems collects the problems of one file.
type fileProblems struct {
	file     string
	problems Problems
	// flagged holds the fields already reported, as shown, so that later
	// rules do not report the same field twice (a missing name is not also
	// "empty").
	flagged map[string]bool
	// labels maps a field to the misspelling it was written as
	// ("bucket" -> "target_bucket", "azure_readers[0].object_id" ->
	// "azure_readers[0].object-id"), so that problems with its value name
	// the line the analyst wrote.
	labels map[string]string
	// single holds the fields that may be a list but were written as one
	// value, so that problems with their item [0] name the field itself.
	single map[string]bool
}

func newFileProblems(file string) *fileProblems {
	return &fileProblems{file: file, flagged: map[string]bool{}, labels: map[string]string{}}
}

// writtenAsOne records that field, which may be a list, was written as one
// value.
func (fp *fileProblems) writtenAsOne(field string) {
	if fp.single == nil {
		fp.single = map[string]bool{}
	}
	fp.single[field] = true
}

// shown is how a field appears in problems: as written in the file.
func (fp *fileProblems) shown(field string) string {
	if label, misspelt := fp.labels[field]; misspelt {
		// A field of an item of a list of mappings, written misspelt.
		return label
	}
	base, index, indexed := strings.Cut(field, "[")
	if indexed && index == "0]" && fp.single[base] {
		field, indexed = base, false
	}
	label, misspelt := fp.labels[base]
	switch {
	case !misspelt:
		return field
	case indexed:
		return label + "[" + index
	}
	return label
}

// add records a problem with field.
func (fp *fileProblems) add(field, message string) {
	field = fp.shown(field)
	fp.flagged[field] = true
	fp.problems = append(fp.problems, Problem{File: fp.file, Field: field, Message: message})
}

// mention records a problem with a field's name, not its value, which the
// rules still check.
func (fp *fileProblems) mention(field, message string) {
	fp.problems = append(fp.problems, Problem{File: fp.file, Field: fp.shown(field), Message: message})
}

// reported says whether field already has a problem.
func (fp *fileProblems) reported(field string) bool { return fp.flagged[fp.shown(field)] }

// reportedWithin says whether field, or the list or item it is part of,
// already has a problem: for "gcp_readers[0].service_account_email", whether
// that field, gcp_readers[0] or gcp_readers has one.
func (fp *fileProblems) reportedWithin(field string) bool {
	for {
		if fp.reported(field) {
			return true
		}
		cut := strings.LastIndexAny(field, ".[")
		if cut < 0 {
			return false
		}
		field = field[:cut]
	}
}
