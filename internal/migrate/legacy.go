// Package migrate brings the earlier tool's dataset files
// (push_datasets/*.yaml and pull_datasets/*.yaml of its repository) across to
// this project's schema. It keeps every AWS name the earlier tool deployed,
// converts what has one meaning, and leaves every real decision to a person:
// an undecided value is written as the earlier tool had it, so that the real
// validator (datasets.Load) refuses it, and the report gives the validator's
// words with the choices and what each does to access.
package migrate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	yaml "sigs.k8s.io/yaml/goyaml.v3"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// Legacy directories: the earlier tool read <dir>/*.yaml of each, no deeper.
const (
	LegacyPushDir = "push_datasets"
	LegacyPullDir = "pull_datasets"
)

// LegacyDir is the earlier tool's directory of the datasets of kind.
func LegacyDir(kind naming.Kind) string {
	if kind == naming.KindPull {
		return LegacyPullDir
	}
	return LegacyPushDir
}

// maxLegacyFile bounds what is read: the earlier tool's files are a few
// hundred bytes.
const maxLegacyFile = 64 << 10

// maxNodes bounds the YAML nodes a file may expand to (aliases included), so
// that a file of aliases to aliases cannot make the copy explode.
const maxNodes = 10000

// Legacy is one dataset file of the earlier tool, read as it read it (PyYAML
// safe_load, YAML 1.1): the fields in file order, the last of a repeated
// key winning, with the comments attached to each.
type Legacy struct {
	Kind naming.Kind
	// File is the file's path, for messages.
	File string
	// Header is the comment block at the top of the file, Footer the one
	// at its end.
	Header, Footer []string
	// Fields are the file's keys in order; a repeated key appears once, at
	// its last place, with its last value.
	Fields []*Field
	// Repeated are the earlier values of keys written more than once,
	// which the earlier tool did not use.
	Repeated []*Field
}

// Field is one key of a legacy file and its value.
type Field struct {
	// Key is the key as written.
	Key   string
	Value *yaml.Node
	Line  int
	// Above are the comment lines above the field (and those YAML
	// attaches below it); Inline is the comment at the end of its line.
	Above  []string
	Inline string
}

// Field returns the field with key, or nil.
func (l *Legacy) Field(key string) *Field {
	for _, f := range l.Fields {
		if f.Key == key {
			return f
		}
	}
	return nil
}

// ReadLegacy reads one legacy dataset file. It is tolerant of what the
// earlier tool accepted (an indented document, comments, trailing spaces, no
// final newline, flags as lists) and refuses, with a message, only what the
// earlier tool could not have read either: then nothing was deployed from
// the file as it is. It never panics.
func ReadLegacy(kind naming.Kind, file string, data []byte) (*Legacy, *datasets.Problem) {
	refuse := func(format string, args ...any) (*Legacy, *datasets.Problem) {
		return nil, &datasets.Problem{File: file, Field: datasets.FileField, Message: fmt.Sprintf(format, args...)}
	}
	if len(data) > maxLegacyFile {
		return refuse("is %d bytes, too big for a dataset file (at most %d): check that it is the right file", len(data), maxLegacyFile)
	}
	docs, err := parseDocuments(data)
	switch {
	case err != nil:
		return refuse("is not valid YAML (%s), so the earlier tool could not have read it either: correct it and run migrate again", strings.TrimPrefix(err.Error(), "yaml: "))
	case len(docs) > 1:
		return refuse("holds more than one YAML document (a line with ---), which the earlier tool could not read either: keep the one that is meant and run migrate again")
	case len(docs) == 0 || len(docs[0].Content) == 0 || isNull(docs[0].Content[0]):
		return refuse("is empty, so the earlier tool deployed nothing from it: remove it, or write the dataset's fields and run migrate again")
	case countNodes(docs[0], maxNodes) > maxNodes:
		return refuse("expands to more than %d YAML values (through aliases): a dataset file needs a few dozen", maxNodes)
	}
	doc := docs[0]
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return refuse("is a %s, not a set of fields such as name: and users:, so the earlier tool could not have read it: correct it and run migrate again", kindWord(root))
	}
	l := &Legacy{Kind: kind, File: file}
	l.Header = commentLines(doc.HeadComment, root.HeadComment)
	l.Footer = commentLines(root.FootComment, doc.FootComment)
	at := map[string]int{}
	var merged []*yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, value := resolve(root.Content[i]), root.Content[i+1]
		switch {
		case key.Kind != yaml.ScalarNode:
			return refuse("has a key on line %d that is not a single value, which the earlier tool could not read: write one field per line as field: value", key.Line)
		case key.ShortTag() == "!!merge":
			merged = append(merged, mergeSources(resolve(value))...)
			continue
		}
		f := &Field{Key: key.Value, Value: resolve(value), Line: key.Line,
			Above:  commentLines(key.HeadComment, value.HeadComment, key.FootComment, value.FootComment),
			Inline: firstNonEmpty(key.LineComment, value.LineComment),
		}
		j, seen := at[f.Key]
		if !seen {
			at[f.Key] = len(l.Fields)
			l.Fields = append(l.Fields, f)
			continue
		}
		// PyYAML keeps the last value, at the key's first place.
		l.Repeated = append(l.Repeated, l.Fields[j])
		l.Fields[j] = f
	}
	// A merge key (<<: *defaults) adds the fields the file does not write
	// itself; of several sources, the first to hold a field wins.
	for _, source := range merged {
		for i := 0; i+1 < len(source.Content); i += 2 {
			key := resolve(source.Content[i])
			if _, seen := at[key.Value]; seen || key.Kind != yaml.ScalarNode {
				continue
			}
			at[key.Value] = len(l.Fields)
			l.Fields = append(l.Fields, &Field{Key: key.Value, Value: resolve(source.Content[i+1]), Line: key.Line})
		}
	}
	return l, nil
}

// parseDocuments parses the YAML documents of data, stopping at the second:
// PyYAML's safe_load, which the earlier tool used, refuses more than one.
func parseDocuments(data []byte) ([]*yaml.Node, error) {
	decoder := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for len(docs) < 2 {
		var doc yaml.Node
		switch err := decoder.Decode(&doc); {
		case errors.Is(err, io.EOF):
			return docs, nil
		case err != nil:
			return nil, err
		}
		docs = append(docs, &doc)
	}
	return docs, nil
}

// countNodes counts the nodes of n with aliases expanded, stopping once past
// limit.
func countNodes(n *yaml.Node, limit int) int {
	count := 0
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		count++
		if count > limit || depth > 100 {
			count = limit + 1
			return
		}
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			walk(n.Alias, depth+1)
		}
		for _, c := range n.Content {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return count
}

// resolve follows an alias (*anchor) to the value it stands for.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// mergeSources are the mappings a merge key's value adds: one mapping, or a
// list of them.
func mergeSources(value *yaml.Node) []*yaml.Node {
	if value.Kind == yaml.MappingNode {
		return []*yaml.Node{value}
	}
	var sources []*yaml.Node
	for _, item := range value.Content {
		if item = resolve(item); item.Kind == yaml.MappingNode && value.Kind == yaml.SequenceNode {
			sources = append(sources, item)
		}
	}
	return sources
}

func kindWord(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.MappingNode:
		return "set of fields"
	}
	return fmt.Sprintf("single value (%s)", shorten(n.Value))
}

// commentLines splits YAML comment blocks into lines, without blank ones.
func commentLines(blocks ...string) []string {
	var lines []string
	for _, block := range blocks {
		for line := range strings.SplitSeq(block, "\n") {
			if line = strings.TrimRight(line, " \t\r"); line != "" {
				lines = append(lines, line)
			}
		}
	}
	return lines
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// shorten keeps a value quoted in a message to one readable line.
func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}
