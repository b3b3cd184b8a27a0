package datasets

import (
	"fmt"

	yamlnode "sigs.k8s.io/yaml/goyaml.v3"
)

// The YAML 1.1 rule. yaml.v3 reads YAML 1.2, where only true and false
// (True, TRUE, False, FALSE) are booleans. YAML 1.1 also reads the unquoted
// words below as true or false, and so do people, the earlier tool (PyYAML)
// and many other readers: to them `bucket: yes` is true, not the text
// "yes". So that every reader sees the same value, where text is expected
// such a word must be quoted (reportYAML11Word), and where a flag is
// expected it is refused with the true or false it stands for (checkFlag).
// Quoted or tagged (!!str yes) it is text to every reader.
var yaml11Booleans = map[string]string{
	"y": "true", "Y": "true", "yes": "true", "Yes": "true", "YES": "true",
	"on": "true", "On": "true", "ON": "true",
	"n": "false", "N": "false", "no": "false", "No": "false", "NO": "false",
	"off": "false", "Off": "false", "OFF": "false",
}

// reportYAML11Word reports a text value n written as an unquoted YAML 1.1
// true/false word; the message shows it quoted after prefix ("bucket: " or
// "- ", as the file writes it).
func reportYAML11Word(field, prefix string, n *yamlnode.Node, fp *fileProblems) {
	if n.Style != 0 { // quoted, tagged or a block
		return
	}
	if read, ok := yaml11Booleans[n.Value]; ok {
		fp.add(field, fmt.Sprintf("is read by YAML as %q rather than %q: put it in quotes, %s%q", read, n.Value, prefix, n.Value))
	}
}
