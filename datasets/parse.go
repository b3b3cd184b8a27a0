package datasets

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	yamlnode "sigs.k8s.io/yaml/goyaml.v3"
)

// maxFileSize bounds what Load reads: a dataset file is a few hundred bytes.
const maxFileSize = 64 << 10

// parseMapping parses data as one YAML document holding a mapping.
func parseMapping(stem string, data []byte, fp *fileProblems) *yamlnode.Node {
	if len(data) > maxFileSize {
		fp.add(FileField, fmt.Sprintf("is %d bytes, too big for a dataset file (at most %d): it should hold only the dataset's fields", len(data), maxFileSize))
		return nil
	}
	if line := tabIndentedLine(data); line > 0 {
		fp.add(FileField, fmt.Sprintf("line %d is indented with a tab, which YAML does not allow: indent with spaces", line))
		return nil
	}
	doc, err := parseFirstDocument(data)
	if err == nil && isEmptyDocument(doc) {
		fp.add(FileField, "is empty: write the dataset's fields, starting with "+example("name", stem))
		return nil
	}
	if errors.Is(err, errMoreDocuments) {
		fp.add(FileField, "holds more than one YAML document (a line with ---): write one dataset per file and remove the --- lines")
		return nil
	}
	if err != nil {
		fp.add(FileField, syntaxMessage(err))
		return nil
	}
	root := doc.Content[0]
	switch root.Kind {
	case yamlnode.MappingNode:
		return root
	case yamlnode.SequenceNode:
		fp.add(FileField, "is a list, but a dataset file is a set of fields: remove the leading '- ' and write one field per line, starting with "+example("name", stem))
	default:
		fp.add(FileField, fmt.Sprintf("is the single value %q, but a dataset file is a set of fields: write one field per line, starting with %s", shorten(root.Value), example("name", stem)))
	}
	return nil
}

var errMoreDocuments = errors.New("more than one document")

// parseFirstDocument parses the first YAML document in data, and fails with
// errMoreDocuments when another follows. Only text with a document marker
// (--- or ...) can hold a second one, so other text takes the cheaper path.
func parseFirstDocument(data []byte) (*yamlnode.Node, error) {
	var doc yamlnode.Node
	if !bytes.Contains(data, []byte("---")) && !bytes.Contains(data, []byte("...")) {
		return &doc, yamlnode.Unmarshal(data, &doc)
	}
	decoder := yamlnode.NewDecoder(bytes.NewReader(data))
	if err := decoder.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &doc, nil
		}
		return nil, err
	}
	var next yamlnode.Node
	switch err := decoder.Decode(&next); {
	case errors.Is(err, io.EOF):
		return &doc, nil
	case err != nil:
		return nil, err
	}
	return nil, errMoreDocuments
}

func isEmptyDocument(doc *yamlnode.Node) bool {
	if len(doc.Content) == 0 {
		return true
	}
	root := doc.Content[0]
	return root.Kind == yamlnode.ScalarNode && root.ShortTag() == "!!null"
}

// tabIndentedLine is the first line (from 1) whose indentation holds a tab,
// or 0. The YAML parser's own error for it ("found character that cannot
// start any token") does not say what to do.
func tabIndentedLine(data []byte) int {
	for line := 1; len(data) > 0; line++ {
		if indent := data[:len(data)-len(bytes.TrimLeft(data, " \t"))]; bytes.IndexByte(indent, '\t') >= 0 {
			return line
		}
		next := bytes.IndexByte(data, '\n')
		if next < 0 {
			break
		}
		data = data[next+1:]
	}
	return 0
}

func syntaxMessage(err error) string {
	detail := strings.TrimPrefix(err.Error(), "yaml: ")
	return fmt.Sprintf("is not valid YAML (%s): write one field per line as field: value, with list items on lines starting '  - '", detail)
}
