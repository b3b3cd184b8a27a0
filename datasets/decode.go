package datasets

import "reflect"

// Each file is parsed once, into a YAML node tree (yaml.v3, which reads YAML
// 1.2), and the dataset is filled from the nodes. Working on nodes rather
// than decoding into Go values lets every mistake get a message an analyst
// can act on, with the exact text each value was written as:
//
//   - parse.go: the bytes to one mapping, or a message on the whole file;
//   - fields.go and names.go: the fields the model declares, and the keys
//     the file writes: unknown, misspelt, repeated or missing fields;
//   - values.go: the shape of each value (text, list, flag, list of
//     mappings), then filling the dataset from the well-shaped ones; the
//     items of a list of mappings are inspected like a file as they are
//     filled;
//   - messages.go: the examples and wording the messages share.
//
// The rules (rules.go, arns.go, paperwork.go) then check what was filled.

// decodeFile reads one dataset file into dataset (a *Push or *Pull),
// reporting every mistake to fp. It says whether the file was read far enough
// for the rules to check the values.
func decodeFile(kind Kind, stem string, data []byte, dataset any, fp *fileProblems) bool {
	root := parseMapping(stem, data, fp)
	if root == nil {
		return false
	}
	values := inspectFields(kind, stem, root, fp)
	fillFields(kind, reflect.ValueOf(dataset).Elem(), values, stem, fp)
	return true
}
