package datasets

import (
	"fmt"
	"reflect"
	"strings"

	yamlnode "sigs.k8s.io/yaml/goyaml.v3"
)

// checkShape reports a value whose shape does not fit its field, and says
// whether it fits.
func checkShape(spec fieldSpec, value *yamlnode.Node, stem string, fp *fileProblems) bool {
	switch spec.typ {
	case fieldText:
		return checkText(spec.name, value, stem, fp)
	case fieldList:
		return checkList(spec.name, value, fp)
	case fieldTextOrList:
		return checkTextOrList(spec.name, value, stem, fp)
	default:
		return checkFlag(spec.name, value, fp)
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

func checkText(field string, value *yamlnode.Node, stem string, fp *fileProblems) bool {
	switch {
	case isText(value):
		return true
	case value.Kind == yamlnode.SequenceNode && len(value.Content) == 1 && isText(resolveAlias(value.Content[0])):
		fp.add(field, fmt.Sprintf("is a list, but %s is a single value: write %s: %s", field, field, resolveAlias(value.Content[0]).Value))
	case value.Kind == yamlnode.SequenceNode:
		fp.add(field, fmt.Sprintf("is a list, but %s is a single value: write %s", field, example(field, stem)))
	case value.Kind == yamlnode.MappingNode:
		fp.add(field, fmt.Sprintf("is a set of fields, but %s is a single value: write %s on one line", field, example(field, stem)))
	default:
		fp.add(field, fmt.Sprintf("%s %s, not text: put it in quotes, %s: %q", readAs(value), shorten(value.Value), field, value.Value))
	}
	return false
}

func checkList(field string, value *yamlnode.Node, fp *fileProblems) bool {
	switch {
	case value.Kind == yamlnode.ScalarNode && value.ShortTag() == "!!null":
		return true
	case value.Kind == yamlnode.ScalarNode:
		items := strings.FieldsFunc(value.Value, func(r rune) bool { return r == ',' || r == ' ' })
		fp.add(field, fmt.Sprintf("is a single value, but %s is a list: write %s: [%s], or one '  - ' line per item", field, field, strings.Join(items, ", ")))
		return false
	case value.Kind != yamlnode.SequenceNode:
		fp.add(field, fmt.Sprintf("is a set of fields, but %s is a list: write one '  - ' line per item", field))
		return false
	}
	checkItemShapes(field, value, fp)
	return true
}

// checkTextOrList checks a field that is one text or a list of texts.
func checkTextOrList(field string, value *yamlnode.Node, stem string, fp *fileProblems) bool {
	switch value.Kind {
	case yamlnode.SequenceNode:
		checkItemShapes(field, value, fp)
		return true
	case yamlnode.MappingNode:
		fp.add(field, fmt.Sprintf("is a set of fields, but %s is one value or a list of values: write %s, or one '  - ' line per item", field, example(field, stem)))
		return false
	}
	return checkText(field, value, stem, fp)
}

// checkItemShapes reports the items of a list that are not text. The list
// itself is well formed: its good items are still checked by the rules.
func checkItemShapes(field string, list *yamlnode.Node, fp *fileProblems) {
	for i, item := range list.Content {
		item = resolveAlias(item)
		itemField := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case item.Kind == yamlnode.ScalarNode && item.ShortTag() == "!!str":
		case item.Kind == yamlnode.ScalarNode && item.ShortTag() == "!!null":
			fp.add(itemField, "is empty: remove the '-' line or write the value after it")
		case item.Kind == yamlnode.ScalarNode:
			fp.add(itemField, fmt.Sprintf("%s %s, not text: put it in quotes, - %q", readAs(item), shorten(item.Value), item.Value))
		default:
			fp.add(itemField, fmt.Sprintf("is not a single value: each item of %s is one value on its own '  - ' line", field))
		}
	}
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

func checkFlag(field string, value *yamlnode.Node, fp *fileProblems) bool {
	if _, ok := flagValue(value); ok {
		return true
	}
	write := fmt.Sprintf("write %s: true or %s: false (false is the default, so the line may go)", field, field)
	switch value.Kind {
	case yamlnode.SequenceNode:
		if len(value.Content) == 1 {
			if meant := flagMeant(resolveAlias(value.Content[0]).Value); meant != "" {
				write = fmt.Sprintf("write %s: %s, without brackets or a '-'", field, meant)
			}
		}
		fp.add(field, fmt.Sprintf("is a list, but %s is a single true or false (a list would be read as true even when it holds False): %s", field, write))
	case yamlnode.ScalarNode:
		if value.ShortTag() == "!!null" {
			fp.add(field, "has no value: "+write)
			break
		}
		if meant := flagMeant(value.Value); meant != "" {
			write = fmt.Sprintf("write %s: %s, with no quotes", field, meant)
		}
		fp.add(field, fmt.Sprintf("is %q, but %s is true or false: %s", shorten(value.Value), field, write))
	default:
		fp.add(field, "is a set of fields: "+write)
	}
	return false
}

// fillFields sets the fields of target (a Push or Pull) from the values
// inspectFields found well shaped, in the model's order.
func fillFields(kind Kind, target reflect.Value, values map[string]*yamlnode.Node, fp *fileProblems) {
	for _, spec := range schemas[kind] {
		if value, ok := values[spec.name]; ok {
			fillField(spec, target.Field(spec.index), value, fp)
		}
	}
}

func fillField(spec fieldSpec, field reflect.Value, value *yamlnode.Node, fp *fileProblems) {
	switch spec.typ {
	case fieldText:
		field.SetString(readText(spec.name, value, fp))
	case fieldList:
		field.Set(reflect.ValueOf(readItems(spec.name, value, fp)).Convert(field.Type()))
	case fieldTextOrList:
		var items []string
		if value.Kind == yamlnode.SequenceNode {
			items = readItems(spec.name, value, fp)
		} else {
			fp.writtenAsOne(spec.name)
			items = []string{readText(spec.name, value, fp)}
		}
		field.Set(reflect.ValueOf(items).Convert(field.Type()))
	default:
		on, _ := flagValue(value)
		field.SetBool(on)
	}
}

// readText is the text a scalar is written as ("" for a null).
func readText(field string, value *yamlnode.Node, fp *fileProblems) string {
	if value.ShortTag() == "!!null" {
		return ""
	}
	reportYAML11Word(field, field+": ", value, fp)
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
