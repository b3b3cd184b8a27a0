package datasets

import (
	"fmt"
	"reflect"
	"strings"

	yamlnode "sigs.k8s.io/yaml/goyaml.v3"
)

// at is a field where a file writes it: its spec, and the path problems
// name it by, which is its name but in an item of a list of mappings
// ("gcp_readers[0].service_account_email"). Messages name the field by its
// name, as the line that holds it writes it.
type at struct {
	fieldSpec
	path string
}

// checkShape reports a value whose shape does not fit its field, and says
// whether it fits.
func checkShape(field at, value *yamlnode.Node, stem string, fp *fileProblems) bool {
	switch field.typ {
	case fieldText:
		return checkText(field, value, stem, fp)
	case fieldList:
		return checkList(field, value, fp)
	case fieldTextOrList:
		return checkTextOrList(field, value, stem, fp)
	case fieldMappings:
		return checkMappings(field, value, fp)
	default:
		return checkFlag(field, value, fp)
	}
}

// resolveAlias follows a YAML alias (*anchor) to the value it stands for.
func resolveAlias(n *yamlnode.Node) *yamlnode.Node {
	if n.Kind == yamlnode.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// isText is true for a string or a null (read as "", which the rules report
// as empty).
func isText(n *yamlnode.Node) bool {
	tag := n.ShortTag()
	return n.Kind == yamlnode.ScalarNode && (tag == "!!str" || tag == "!!null")
}

func checkText(field at, value *yamlnode.Node, stem string, fp *fileProblems) bool {
	name := field.name
	switch {
	case isText(value):
		return true
	case value.Kind == yamlnode.SequenceNode && len(value.Content) == 1 && isText(resolveAlias(value.Content[0])):
		fp.add(field.path, fmt.Sprintf("is a list, but %s is a single value: write %s: %s", name, name, resolveAlias(value.Content[0]).Value))
	case value.Kind == yamlnode.SequenceNode:
		fp.add(field.path, fmt.Sprintf("is a list, but %s is a single value: write %s", name, example(name, stem)))
	case value.Kind == yamlnode.MappingNode:
		fp.add(field.path, fmt.Sprintf("is a set of fields, but %s is a single value: write %s on one line", name, example(name, stem)))
	case field.numberProblem != nil && isNumber(value):
		fp.add(field.path, field.numberProblem(value.Value))
	default:
		fp.add(field.path, fmt.Sprintf("%s %s, not text: put it in quotes, %s: %q", readAs(value), shorten(value.Value), name, value.Value))
	}
	return false
}

// isNumber is true for a scalar YAML reads as a number.
func isNumber(n *yamlnode.Node) bool {
	tag := n.ShortTag()
	return n.Kind == yamlnode.ScalarNode && (tag == "!!int" || tag == "!!float")
}

func checkList(field at, value *yamlnode.Node, fp *fileProblems) bool {
	name := field.name
	switch {
	case value.Kind == yamlnode.ScalarNode && value.ShortTag() == "!!null":
		return true
	case value.Kind == yamlnode.ScalarNode:
		items := strings.FieldsFunc(value.Value, func(r rune) bool { return r == ',' || r == ' ' })
		fp.add(field.path, fmt.Sprintf("is a single value, but %s is a list: write %s: [%s], or one '  - ' line per item", name, name, strings.Join(items, ", ")))
		return false
	case value.Kind != yamlnode.SequenceNode:
		fp.add(field.path, fmt.Sprintf("is a set of fields, but %s is a list: write one '  - ' line per item", name))
		return false
	}
	checkItemShapes(field, value, fp)
	return true
}

// checkTextOrList checks a field that is one text or a list of texts.
func checkTextOrList(field at, value *yamlnode.Node, stem string, fp *fileProblems) bool {
	switch value.Kind {
	case yamlnode.SequenceNode:
		checkItemShapes(field, value, fp)
		return true
	case yamlnode.MappingNode:
		fp.add(field.path, fmt.Sprintf("is a set of fields, but %s is one value or a list of values: write %s, or one '  - ' line per item", field.name, example(field.name, stem)))
		return false
	}
	return checkText(field, value, stem, fp)
}

// checkItemShapes reports the items of a list that are not text. The list
// itself is well formed: its good items are still checked by the rules.
func checkItemShapes(field at, list *yamlnode.Node, fp *fileProblems) {
	for i, item := range list.Content {
		item = resolveAlias(item)
		itemField := fmt.Sprintf("%s[%d]", field.path, i)
		switch {
		case item.Kind == yamlnode.ScalarNode && item.ShortTag() == "!!str":
		case item.Kind == yamlnode.ScalarNode && item.ShortTag() == "!!null":
			fp.add(itemField, "is empty: remove the '-' line or write the value after it")
		case item.Kind == yamlnode.ScalarNode:
			fp.add(itemField, fmt.Sprintf("%s %s, not text: put it in quotes, - %q", readAs(item), shorten(item.Value), item.Value))
		default:
			fp.add(itemField, fmt.Sprintf("is not a single value: each item of %s is one value on its own '  - ' line", field.name))
		}
	}
}

// checkMappings checks that a list of mappings is a list (or nothing). Its
// items are inspected as they are filled (fillMappings), each like a file.
func checkMappings(field at, value *yamlnode.Node, fp *fileProblems) bool {
	switch {
	case value.Kind == yamlnode.SequenceNode, value.Kind == yamlnode.ScalarNode && value.ShortTag() == "!!null":
		return true
	case value.Kind == yamlnode.MappingNode:
		fp.add(field.path, fmt.Sprintf("is a set of fields, but %s is a list: start each item with '  - ', as %s", field.name, firstItemLine(field)))
	default:
		fp.add(field.path, fmt.Sprintf("is a single value, but %s is a list of items, each a set of fields: write one item per '  - ', as %s, with its other fields under it", field.name, firstItemLine(field)))
	}
	return false
}

// firstItemLine is how an item of a list of mappings starts:
// "'  - service_account_unique_id: ...'".
func firstItemLine(list at) string {
	return "'  - " + example(list.item.fields[0].name, "") + "'"
}

// flagValue is the value of a true/false scalar, and whether it is one:
// yaml.v3 tags as !!bool only the spellings of true and false below, unless
// a tag (!!bool yes) says so.
func flagValue(n *yamlnode.Node) (value, ok bool) {
	if n.Kind != yamlnode.ScalarNode || n.ShortTag() != "!!bool" {
		return false, false
	}
	switch n.Value {
	case "true", "True", "TRUE":
		return true, true
	case "false", "False", "FALSE":
		return false, true
	}
	return false, false
}

func checkFlag(flag at, value *yamlnode.Node, fp *fileProblems) bool {
	if _, ok := flagValue(value); ok {
		return true
	}
	name := flag.name
	write := fmt.Sprintf("write %s: true or %s: false (false is the default, so the line may go)", name, name)
	switch value.Kind {
	case yamlnode.SequenceNode:
		if len(value.Content) == 1 {
			if meant := flagMeant(resolveAlias(value.Content[0]).Value); meant != "" {
				write = fmt.Sprintf("write %s: %s, without brackets or a '-'", name, meant)
			}
		}
		fp.add(flag.path, fmt.Sprintf("is a list, but %s is a single true or false (a list would be read as true even when it holds False): %s", name, write))
	case yamlnode.ScalarNode:
		if value.ShortTag() == "!!null" {
			fp.add(flag.path, "has no value: "+write)
			break
		}
		if meant := flagMeant(value.Value); meant != "" {
			write = fmt.Sprintf("write %s: %s, with no quotes", name, meant)
		}
		fp.add(flag.path, fmt.Sprintf("is %q, but %s is true or false: %s", shorten(value.Value), name, write))
	default:
		fp.add(flag.path, "is a set of fields: "+write)
	}
	return false
}

// fillFields sets the fields of target (a Push or Pull) from the values
// inspectFields found well shaped, in the model's order.
func fillFields(kind Kind, target reflect.Value, values map[string]*yamlnode.Node, stem string, fp *fileProblems) {
	fillMapping(kind, schemas[kind], func(name string) string { return name }, target, values, stem, fp)
}

// fillMapping sets the fields of target, described by specs, from the
// values of a mapping found well shaped; path is how problems name a field.
func fillMapping(kind Kind, specs []fieldSpec, path func(string) string, target reflect.Value, values map[string]*yamlnode.Node, stem string, fp *fileProblems) {
	for _, spec := range specs {
		if value, ok := values[spec.name]; ok {
			fillField(kind, at{spec, path(spec.name)}, target.Field(spec.index), value, stem, fp)
		}
	}
}

func fillField(kind Kind, spec at, field reflect.Value, value *yamlnode.Node, stem string, fp *fileProblems) {
	switch spec.typ {
	case fieldText:
		field.SetString(readText(spec, value, fp))
	case fieldList:
		field.Set(reflect.ValueOf(readItems(spec.path, value, fp)).Convert(field.Type()))
	case fieldTextOrList:
		var items []string
		if value.Kind == yamlnode.SequenceNode {
			items = readItems(spec.path, value, fp)
		} else {
			fp.writtenAsOne(spec.path)
			items = []string{readText(spec, value, fp)}
		}
		field.Set(reflect.ValueOf(items).Convert(field.Type()))
	case fieldMappings:
		fillMappings(kind, spec, field, value, stem, fp)
	default:
		on, _ := flagValue(value)
		field.SetBool(on)
	}
}

// fillMappings fills a list of mappings, inspecting each item's keys and
// values like a file's. An item that is not a mapping is reported and
// filled empty, so that every other item keeps the index the file gives it.
func fillMappings(kind Kind, list at, field reflect.Value, value *yamlnode.Node, stem string, fp *fileProblems) {
	if len(value.Content) == 0 {
		return
	}
	items := reflect.MakeSlice(field.Type(), len(value.Content), len(value.Content))
	for i, item := range value.Content {
		item = resolveAlias(item)
		path := fmt.Sprintf("%s[%d]", list.path, i)
		if item.Kind != yamlnode.MappingNode {
			fp.add(path, fmt.Sprintf("is not a set of fields: each item of %s is written as field: value lines, the first after '  - ', as %s", list.name, firstItemLine(list)))
			continue
		}
		schema := itemSchema(kind, list.fieldSpec, path, fp)
		values := inspectMapping(schema, item, stem, fp)
		fillMapping(kind, schema.fields, schema.path, items.Index(i), values, stem, fp)
	}
	field.Set(items)
}

// readText is the text a scalar is written as ("" for a null).
func readText(field at, value *yamlnode.Node, fp *fileProblems) string {
	if value.ShortTag() == "!!null" {
		return ""
	}
	reportYAML11Word(field.path, field.name+": ", value, fp)
	return value.Value
}

// readItems is the texts of a list's items. Items that are not text were
// reported by checkItemShapes.
func readItems(field string, list *yamlnode.Node, fp *fileProblems) []string {
	items := make([]string, len(list.Content))
	for i, item := range list.Content {
		item = resolveAlias(item)
		reportYAML11Word(fmt.Sprintf("%s[%d]", field, i), "- ", item, fp)
		items[i] = item.Value
	}
	return items
}
