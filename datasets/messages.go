package datasets

import (
	"strings"

	yamlnode "sigs.k8s.io/yaml/goyaml.v3"

	"github.com/ministryofjustice/data-engineering-exports/federation"
)

// examples show how each required field other than name is written, for
// "write ..." advice.
var examples = map[string]string{
	"bucket":         "<the recipient's bucket name>",
	"bucket_account": accountForm,
	"users":          "[alpha_user_<github-name>]",
	"paperwork":      "https://<link to the DPIA or data sharing agreement>",
	"pull_arns":      "[" + roleARNForm + "]",
	// The fields of a federated reader.
	federation.FieldUniqueID: `"<the service account's 21-digit unique id>"`,
	federation.FieldEmail:    "<reader>@<project-id>.iam.gserviceaccount.com",
	federation.FieldTenantID: "<the reader's tenant id>",
	federation.FieldObjectID: "<the object id of the identity that reads>",
	federation.FieldClientID: "<the client id of the reader's application>",
}

// example is how a required field could be written: "users: [...]".
func example(field, stem string) string {
	if field != "name" {
		return field + ": " + examples[field]
	}
	if namePattern.MatchString(stem) {
		return "name: " + stem
	}
	return "name: <the file name without .yaml>"
}

// flagMeant is "true" or "false" for the ways people write yes and no, or "".
func flagMeant(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "y", "on", "1":
		return "true"
	case "false", "no", "n", "off", "0":
		return "false"
	}
	return ""
}

// readAs describes how YAML reads an unquoted value that is not text.
func readAs(n *yamlnode.Node) string {
	switch n.ShortTag() {
	case "!!int", "!!float":
		return "is read as the number"
	case "!!bool":
		return "is read as the true/false value"
	case "!!timestamp":
		return "is read as the date"
	}
	return "is read as the " + strings.TrimLeft(n.ShortTag(), "!") + " value"
}

// shorten keeps messages one readable line.
func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}
