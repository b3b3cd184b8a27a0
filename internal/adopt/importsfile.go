package adopt

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	yamlnode "sigs.k8s.io/yaml/goyaml.v3"

	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// The imports file (naming.ImportsFile, beside push/ and pull/) is a YAML
// list, one entry per resource to adopt, sorted by address, a comment above
// each saying what adopt found:
//
//	# bucket mojap-hub-exports
//	- to: aws_s3_bucket.shared-export_bucket
//	  id: mojap-hub-exports
//
// It is written by WriteImports and read by ReadImports, which refuses
// anything else with the line and the fix: a person reviews and may edit
// it, and synthesis turns it into import blocks.

// Entry is one import: the stack's resource To adopts the existing resource
// ID.
type Entry struct {
	// To is the address of the stack's resource, <type>.<logical id>.
	To string
	// ID is the provider's import id of the existing resource.
	ID string
	// Found says what adopt found; it is the comment above the entry.
	Found string
	// Line is where the entry starts in the file it was read from.
	Line int
}

// Type is the Terraform resource type of the entry's address.
func (e Entry) Type() string {
	resourceType, _, _ := strings.Cut(e.To, ".")
	return resourceType
}

// maxImportsFileSize bounds what ReadImports reads: a few hundred bytes per
// resource of the stack.
const maxImportsFileSize = 4 << 20

const importsFileHeader = `# Resources that already exist in the AWS account and that the exports stack
# adopts instead of creating them. Synthesis turns each entry into a Terraform
# import block: the reviewed deploy imports the resource "id" into the stack's
# resource "to", then updates it to match the stack. Written by
# go run ./cmd/exports adopt (run it again rather than editing by hand); the
# comment above each entry says what it found. Once the deploy has applied,
# the entries do nothing, and this file can be deleted in a later pull request.
`

// EncodeImports is the imports file holding entries, sorted by address.
func EncodeImports(entries []Entry) []byte {
	sorted := slices.Clone(entries)
	slices.SortFunc(sorted, func(a, b Entry) int { return strings.Compare(a.To, b.To) })
	var b bytes.Buffer
	b.WriteString(importsFileHeader)
	if len(sorted) == 0 {
		b.WriteString("\n[]\n")
	}
	for _, e := range sorted {
		b.WriteString("\n")
		if found := strings.Join(strings.Fields(e.Found), " "); found != "" {
			b.WriteString("# " + found + "\n")
		}
		b.WriteString("- to: " + e.To + "\n")
		b.WriteString("  id: " + yamlText(e.ID) + "\n")
	}
	return b.Bytes()
}

// plainText is text YAML reads back as that text when written unquoted.
var plainText = regexp.MustCompile(`^[A-Za-z/][A-Za-z0-9_./:@=,+-]*$`)

// yamlWords are the plain words YAML 1.1 or 1.2 reads as a boolean or null.
var yamlWords = map[string]bool{"y": true, "n": true, "yes": true, "no": true, "on": true, "off": true, "true": true, "false": true, "null": true}

// yamlText writes text plain when YAML reads it back as the same text,
// else double-quoted.
func yamlText(text string) string {
	if plainText.MatchString(text) && !strings.HasSuffix(text, ":") && !yamlWords[strings.ToLower(text)] {
		return text
	}
	return strconv.Quote(text)
}

// WriteImports writes the imports file at path.
func WriteImports(path string, entries []Entry) error {
	return os.WriteFile(path, EncodeImports(entries), 0o644)
}

// ReadImports reads the imports file at path; a file that does not exist
// holds no entries. Every mistake in it is reported at once, each with its
// line and the fix, as ImportsFileError.
func ReadImports(path string) ([]Entry, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return DecodeImports(path, data)
}

// ImportsFileError is every mistake in an imports file.
type ImportsFileError struct {
	Path     string
	Problems []ImportsProblem
}

// ImportsProblem is one mistake, at a line of the file (0: the whole file).
type ImportsProblem struct {
	Line    int
	Message string
}

func (e *ImportsFileError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		where := e.Path
		if p.Line > 0 {
			where += ":" + strconv.Itoa(p.Line)
		}
		lines[i] = where + ": " + p.Message
	}
	return strings.Join(lines, "\n")
}

// addressPattern is <type>.<logical id> as Terraform writes a resource
// address; the logical id must also be one of ours (naming.ParseLogicalID).
var addressPattern = regexp.MustCompile(`^(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)$`)

// DecodeImports reads an imports file's contents; path names it in
// messages.
func DecodeImports(path string, data []byte) ([]Entry, error) {
	problems := &ImportsFileError{Path: path}
	add := func(line int, format string, args ...any) {
		problems.Problems = append(problems.Problems, ImportsProblem{Line: line, Message: fmt.Sprintf(format, args...)})
	}
	root, err := parseImportsDocument(data)
	if err != nil {
		add(0, "%v", err)
		return nil, problems
	}
	if root == nil {
		return nil, nil
	}
	if root.Kind != yamlnode.SequenceNode {
		add(root.Line, "is not a list: the imports file is a list of entries, each \"- to: <type>.<logical id>\" and \"  id: <import id>\"; run go run ./cmd/exports adopt to write it")
		return nil, problems
	}
	var entries []Entry
	byAddress := map[string]int{}
	byObject := map[string]int{}
	for _, item := range root.Content {
		entry, ok := decodeEntry(item, add)
		if !ok {
			continue
		}
		if first, seen := byAddress[entry.To]; seen {
			add(entry.Line, "to: %s is imported at line %d already: a resource is imported once; keep one of the two entries", entry.To, first)
			continue
		}
		object := entry.Type() + " " + entry.ID
		if first, seen := byObject[object]; seen {
			add(entry.Line, "id: %s %q is imported at line %d already, into another resource: two resources of the stack would manage one object; keep one of the two entries", entry.Type(), entry.ID, first)
			continue
		}
		byAddress[entry.To], byObject[object] = entry.Line, entry.Line
		entries = append(entries, entry)
	}
	if len(problems.Problems) > 0 {
		return nil, problems
	}
	return entries, nil
}

// parseImportsDocument parses data as at most one YAML document; the root
// is nil when the file holds only comments.
func parseImportsDocument(data []byte) (*yamlnode.Node, error) {
	if len(data) > maxImportsFileSize {
		return nil, fmt.Errorf("is %d bytes, more than an imports file can hold (%d): run go run ./cmd/exports adopt to write it again", len(data), maxImportsFileSize)
	}
	decoder := yamlnode.NewDecoder(bytes.NewReader(data))
	var doc yamlnode.Node
	if err := decoder.Decode(&doc); errors.Is(err, io.EOF) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("is not valid YAML (%v): run go run ./cmd/exports adopt to write it again", err)
	}
	var next yamlnode.Node
	if err := decoder.Decode(&next); !errors.Is(err, io.EOF) {
		return nil, errors.New("holds more than one YAML document (a line with ---): the imports file is one list; remove the --- lines")
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

// decodeEntry reads one item of the list; ok is false when it has a
// mistake, which add has recorded.
func decodeEntry(item *yamlnode.Node, add func(line int, format string, args ...any)) (entry Entry, ok bool) {
	entry = Entry{Line: item.Line, Found: strings.TrimSpace(strings.TrimPrefix(item.HeadComment, "#"))}
	if item.Kind != yamlnode.MappingNode {
		add(item.Line, "is not an entry: write \"- to: <type>.<logical id>\" with \"  id: <import id>\" on the next line")
		return entry, false
	}
	fields := map[string]*yamlnode.Node{}
	ok = true
	for i := 0; i+1 < len(item.Content); i += 2 {
		key, value := item.Content[i], item.Content[i+1]
		switch {
		case key.Value != "to" && key.Value != "id":
			add(key.Line, "%q is not a field of an entry: an entry has only to and id", key.Value)
			ok = false
		case fields[key.Value] != nil:
			add(key.Line, "%s is given twice in one entry: keep one", key.Value)
			ok = false
		case value.Kind != yamlnode.ScalarNode || value.Tag != "!!str":
			add(value.Line, "%s is not text: write it on one line, quoted if YAML would read it as something else (%s: \"...\")", key.Value, key.Value)
			ok = false
		default:
			fields[key.Value] = value
		}
	}
	for _, name := range []string{"to", "id"} {
		if fields[name] == nil && ok {
			add(item.Line, "the entry has no %s: every entry has both to (the stack's resource) and id (the existing resource)", name)
			ok = false
		}
	}
	if !ok {
		return entry, false
	}
	entry.To, entry.ID = fields["to"].Value, fields["id"].Value
	if problem := addressProblem(entry.To); problem != "" {
		add(fields["to"].Line, "to: %s", problem)
		ok = false
	}
	if entry.ID == "" || strings.TrimSpace(entry.ID) != entry.ID || strings.ContainsFunc(entry.ID, isControl) {
		add(fields["id"].Line, "id: %q is not an import id: write the existing resource's id (a bucket, role or function name, ...), without spaces around it", entry.ID)
		ok = false
	}
	return entry, ok
}

func isControl(r rune) bool { return r < ' ' || r == 0x7f }

// addressProblem says what is wrong with an address, or "".
func addressProblem(address string) string {
	m := addressPattern.FindStringSubmatch(address)
	if m == nil {
		return fmt.Sprintf("%q is not a resource address: write <type>.<logical id>, e.g. aws_s3_bucket.%s", address, naming.SharedLogicalID(naming.ExportBucketPartPrefix+naming.PartBucket))
	}
	if !slices.Contains(ImportableTypes, m[1]) {
		return fmt.Sprintf("%s: adopt imports only %s", m[1], strings.Join(ImportableTypes, ", "))
	}
	if _, ours := naming.ParseLogicalID(m[2]); !ours {
		return fmt.Sprintf("%s is not a logical id of the exports stack (push-<dataset>-<part>, pull-<dataset>-<part>, user-<role>, shared-<part>)", m[2])
	}
	return ""
}
