package migrate

import (
	"regexp"
	"strings"

	yaml "sigs.k8s.io/yaml/goyaml.v3"
)

// The earlier tool read its files with PyYAML's safe_load, which follows
// YAML 1.1, and tested flags with Python's truth: these functions say what
// it made of a value, so that the migration keeps what was deployed.

// pyType is the Python type PyYAML gives a value.
type pyType int

const (
	pyStr pyType = iota
	pyBool
	pyInt
	pyFloat
	pyNone
	pyList
	pyDict
	pyOther // a date or binary value
)

// YAML 1.1's implicit types of plain (unquoted, untagged) scalars, as
// PyYAML resolves them.
var (
	yaml11Bool  = regexp.MustCompile(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`)
	yaml11Null  = regexp.MustCompile(`^(?:~|null|Null|NULL|)$`)
	yaml11Int   = regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`)
	yaml11Float = regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)
	yaml11Date  = regexp.MustCompile(`^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}`)
	yaml11True  = regexp.MustCompile(`^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$`)
)

// typeOf is the Python type PyYAML reads n as.
func typeOf(n *yaml.Node) pyType {
	n = resolve(n)
	switch n.Kind {
	case yaml.SequenceNode:
		return pyList
	case yaml.MappingNode:
		return pyDict
	case yaml.ScalarNode:
	default:
		return pyOther
	}
	if n.Style&yaml.TaggedStyle != 0 {
		switch n.ShortTag() {
		case "!!str":
			return pyStr
		case "!!bool":
			return pyBool
		case "!!int":
			return pyInt
		case "!!float":
			return pyFloat
		case "!!null":
			return pyNone
		}
		return pyOther
	}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return pyStr
	}
	switch v := n.Value; {
	case yaml11Bool.MatchString(v):
		return pyBool
	case yaml11Null.MatchString(v):
		return pyNone
	case yaml11Int.MatchString(v):
		return pyInt
	case yaml11Float.MatchString(v):
		return pyFloat
	case yaml11Date.MatchString(v):
		return pyOther
	}
	return pyStr
}

// isNull is true for a value PyYAML reads as None.
func isNull(n *yaml.Node) bool { return typeOf(n) == pyNone }

// isText is true for a value PyYAML reads as a string.
func isText(n *yaml.Node) bool { return typeOf(n) == pyStr }

// truthy is Python's truth of the value PyYAML reads n as: what the earlier
// tool's `if dataset.get(flag):` made of it.
func truthy(n *yaml.Node) bool {
	n = resolve(n)
	switch typeOf(n) {
	case pyNone:
		return false
	case pyBool:
		return yaml11True.MatchString(n.Value)
	case pyInt, pyFloat:
		return isNonZero(n.Value)
	case pyStr:
		return n.Value != ""
	case pyList, pyDict:
		return len(n.Content) > 0
	}
	return true
}

// isNonZero says whether a YAML 1.1 number is other than zero: infinity and
// NaN are true in Python, as is any number with a non-zero digit.
func isNonZero(number string) bool {
	lower := strings.ToLower(number)
	if strings.Contains(lower, "inf") || strings.Contains(lower, "nan") {
		return true
	}
	mantissa := lower
	if !strings.HasPrefix(lower, "0x") && !strings.HasPrefix(lower, "-0x") && !strings.HasPrefix(lower, "+0x") {
		mantissa, _, _ = strings.Cut(lower, "e")
	}
	mantissa = strings.TrimLeft(mantissa, "+-")
	mantissa = strings.TrimPrefix(strings.TrimPrefix(mantissa, "0x"), "0b")
	return strings.ContainsAny(mantissa, "123456789abcdef")
}

// flagMeaning is what a person meant by a flag's value, looking past quotes
// and one-item lists: "true", "false", or "" when it is not clear.
func flagMeaning(n *yaml.Node) string {
	n = resolve(n)
	if n.Kind == yaml.SequenceNode && len(n.Content) == 1 {
		n = resolve(n.Content[0])
	}
	if n.Kind != yaml.ScalarNode {
		return ""
	}
	return flagWords[strings.ToLower(strings.TrimSpace(n.Value))]
}

// flagWords are the ways people write yes and no.
var flagWords = map[string]string{
	"true": "true", "yes": "true", "y": "true", "on": "true", "1": "true",
	"false": "false", "no": "false", "n": "false", "off": "false", "0": "false",
}

// whyRead says why the earlier tool read a flag's value as it did, for a
// value that is not a plain true or false.
func whyRead(n *yaml.Node) string {
	switch typeOf(n) {
	case pyList:
		if len(resolve(n).Content) == 0 {
			return "it read an empty list as false"
		}
		return "it read any list that is not empty as true, whatever it holds"
	case pyStr:
		if resolve(n).Value == "" {
			return "it read empty text as false"
		}
		return "it read any text that is not empty as true, whatever it says"
	case pyNone:
		return "it read a missing value as false"
	case pyInt, pyFloat:
		return "it read a number as true unless it is 0"
	case pyDict:
		return "it read a set of fields as true unless it is empty"
	}
	return "Python reads such a value so"
}
