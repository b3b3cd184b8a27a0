package datasets

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/ministryofjustice/data-engineering-exports/federation"
)

// The names a file gives its fields: how a problem shows them, and which
// field a misspelt or legacy name most likely means.

// plainKey is a field name that can be shown as it is written.
var plainKey = regexp.MustCompile(`^[A-Za-z0-9_.<-]{1,60}$`)

// fieldLabel is how a problem names the field written as key: as written,
// or quoted when it is empty, long or holds spaces or odd characters.
func fieldLabel(key string) string {
	if plainKey.MatchString(key) {
		return key
	}
	return strconv.Quote(shorten(key))
}

// legacyFields are spellings the earlier tool's users wrote, with the field
// meant.
var legacyFields = map[string]string{
	"target_bucket": "bucket",
	"account":       "bucket_account",
	"account_id":    "bucket_account",
	"bucket_owner":  "bucket_account",
	"dpia":          "paperwork",
	"arns":          "pull_arns",
	"roles":         "pull_arns",
}

// meantField is the field name most likely meant by the unknown field
// name, of either kind, or name itself when none is near.
func meantField(kind Kind, name string) string {
	if legacy, ok := legacyFields[strings.ToLower(name)]; ok {
		return legacy
	}
	if near := nearestField(kind, name); near != "" {
		return near
	}
	if near := nearestField(otherKind(kind), name); near != "" {
		return near
	}
	return name
}

func otherKind(kind Kind) Kind {
	if kind == KindPull {
		return KindPush
	}
	return KindPull
}

func unknownFieldMessage(kind Kind, name, meant string) string {
	other := otherKind(kind)
	if _, ok := specOf(kind, meant); ok {
		return fmt.Sprintf("is not a field of a %s dataset: write %s instead", kind, meant)
	}
	if _, ok := specOf(other, meant); ok {
		spelled := ""
		if meant != name {
			spelled = fmt.Sprintf(" (%s is spelled %s)", name, meant)
		}
		switch kind {
		case KindPush:
			return fmt.Sprintf("belongs to pull datasets, not push%s: remove it, or move the file to pull/ if the recipient should read from a bucket of ours", spelled)
		default:
			return fmt.Sprintf("belongs to push datasets, not pull%s: a pull dataset gets its own bucket, mojap-<name>; remove it, or move the file to push/ to send files to the recipient's bucket", spelled)
		}
	}
	return fmt.Sprintf("is not a field of a %s dataset: the fields are %s", kind, fieldNames(kind))
}

// nearestField is the field of kind that name is a slip of the keyboard away
// from (case, hyphens, a letter or two), or "".
func nearestField(kind Kind, name string) string { return nearestIn(schemas[kind], name) }

// nearestIn is the field of specs that name is a slip of the keyboard away
// from, or "".
func nearestIn(specs []fieldSpec, name string) string {
	normal := normalKey(name)
	for _, spec := range specs {
		if editDistance(normal, spec.name) <= 2 {
			return spec.name
		}
	}
	return ""
}

// normalKey is a key in lower case, with underscores for hyphens.
func normalKey(key string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(key)), "-", "_")
}

// itemAliases are names people give the fields of a federated reader, as
// each cloud's console or CLI calls the id, with the field meant.
var itemAliases = map[string]string{
	"unique_id":          federation.FieldUniqueID,
	"uniqueid":           federation.FieldUniqueID,
	"service_account_id": federation.FieldUniqueID,
	"email":              federation.FieldEmail,
	"service_account":    federation.FieldEmail,
	"tenant":             federation.FieldTenantID,
	"directory_id":       federation.FieldTenantID,
	"principal_id":       federation.FieldObjectID,
	"app_id":             federation.FieldClientID,
	"appid":              federation.FieldClientID,
	"application_id":     federation.FieldClientID,
}

// meantItemField is the field of an item of list that key most likely
// means, or "".
func meantItemField(list fieldSpec, key string) string {
	if alias, ok := itemAliases[normalKey(key)]; ok {
		if _, isField := specIn(list.item.fields, alias); isField {
			return alias
		}
	}
	return nearestIn(list.item.fields, key)
}

// unknownItemField words the problem with a key of an item of list (a list
// of mappings in a dataset of kind) that is no field of its items, and
// names the field it most likely means.
func unknownItemField(kind Kind, list fieldSpec, key string) (message, meant string) {
	if meant := meantItemField(list, key); meant != "" {
		return fmt.Sprintf("is not a field of the items of %s: write %s instead", list.name, meant), meant
	}
	for _, other := range schemas[kind] {
		if other.item != nil && other.name != list.name && meantItemField(other, key) != "" {
			return fmt.Sprintf("is a field of the items of %s, not of %s: move this item under %s", other.name, list.name, other.name), key
		}
	}
	return fmt.Sprintf("is not a field of the items of %s: their fields are %s", list.name, namesOf(list.item.fields)), key
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
