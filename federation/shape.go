package federation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/ministryofjustice/data-engineering-exports/constructs/iampolicy"
)

// The deploy gate reads every reader role's trust policy in a plan and lets
// through only the one narrow shape TrustPolicy writes: anything wider, or
// merely different, is refused with the reason.

// ParseTrustPolicy reads a trust policy as IAM accepts it (a statement or a
// list of statements; a value or a list of values) into a Document. It
// refuses what a Document cannot hold (NotAction, NotPrincipal, a "*"
// principal, values that are not strings) and, failing closed, keys written
// twice, which Go and IAM might read differently.
func ParseTrustPolicy(text string) (iampolicy.Document, error) {
	if err := refuseRepeatedKeys(text); err != nil {
		return iampolicy.Document{}, err
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(text), &top); err != nil {
		return iampolicy.Document{}, fmt.Errorf("is not a JSON object: %w", err)
	}
	if err := onlyElements(top, "Version", "Statement"); err != nil {
		return iampolicy.Document{}, err
	}
	doc := iampolicy.Document{}
	if err := decodeElement(top, "Version", &doc.Version); err != nil {
		return iampolicy.Document{}, err
	}
	var statements []json.RawMessage
	if raw := bytes.TrimSpace(top["Statement"]); len(raw) > 0 && raw[0] == '{' {
		statements = []json.RawMessage{raw}
	} else if err := decodeElement(top, "Statement", &statements); err != nil {
		return iampolicy.Document{}, err
	}
	for i, raw := range statements {
		s, err := parseStatement(raw)
		if err != nil {
			return iampolicy.Document{}, fmt.Errorf("statement %d %w", i, err)
		}
		doc.Statement = append(doc.Statement, s)
	}
	return doc, nil
}

func parseStatement(raw json.RawMessage) (iampolicy.Statement, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return iampolicy.Statement{}, fmt.Errorf("is not a JSON object: %w", err)
	}
	if err := onlyElements(fields, "Sid", "Effect", "Principal", "Action", "Resource", "Condition"); err != nil {
		return iampolicy.Statement{}, err
	}
	if raw := bytes.TrimSpace(fields["Principal"]); len(raw) > 0 && raw[0] == '"' {
		return iampolicy.Statement{}, fmt.Errorf("has the principal %s, which stands for everyone, but a reader's role trusts one Federated provider", raw)
	}
	var s iampolicy.Statement
	var principal map[string]stringList
	var action, resource stringList
	var condition map[string]map[string]stringList
	for _, e := range []struct {
		name   string
		target any
	}{
		{"Sid", &s.Sid}, {"Effect", &s.Effect}, {"Principal", &principal},
		{"Action", &action}, {"Resource", &resource}, {"Condition", &condition},
	} {
		if err := decodeElement(fields, e.name, e.target); err != nil {
			return iampolicy.Statement{}, err
		}
	}
	s.Action, s.Resource = action, resource
	if principal != nil {
		s.Principal = map[string][]string{}
		for kind, values := range principal {
			s.Principal[kind] = values
		}
	}
	if condition != nil {
		s.Condition = iampolicy.Condition{}
		for operator, keys := range condition {
			s.Condition[operator] = map[string][]string{}
			for key, values := range keys {
				s.Condition[operator][key] = values
			}
		}
	}
	return s, nil
}

// onlyElements refuses any element of obj not named, spelt exactly.
func onlyElements(obj map[string]json.RawMessage, names ...string) error {
	for _, key := range slices.Sorted(maps.Keys(obj)) {
		if !slices.Contains(names, key) {
			return fmt.Errorf("has the element %q, which a reader's trust policy never has", key)
		}
	}
	return nil
}

// decodeElement decodes obj[name], when present, into target.
func decodeElement(obj map[string]json.RawMessage, name string, target any) error {
	raw, ok := obj[name]
	if !ok {
		return nil
	}
	if err := json.Unmarshal(raw, target); err != nil {
		return fmt.Errorf("has a %s that is not what a reader's trust policy holds: %w", name, err)
	}
	return nil
}

// stringList is IAM's "a string or a list of strings".
type stringList []string

func (l *stringList) UnmarshalJSON(data []byte) error {
	var one string
	if err := json.Unmarshal(data, &one); err == nil {
		*l = stringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(data, &many); err != nil {
		return errors.New("a value that is neither a string nor a list of strings")
	}
	*l = many
	return nil
}

// refuseRepeatedKeys refuses a JSON text in which an object has two keys
// that are equal ignoring case: IAM's condition keys ignore case, and which
// of two repeated keys wins is a parser's choice.
func refuseRepeatedKeys(text string) error {
	dec := json.NewDecoder(strings.NewReader(text))
	if err := walkJSON(dec); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("has text after the policy")
	}
	return nil
}

func walkJSON(dec *json.Decoder) error {
	token, err := dec.Token()
	if err != nil {
		return fmt.Errorf("is not valid JSON: %w", err)
	}
	switch token {
	case json.Delim('{'):
		seen := map[string]string{}
		for dec.More() {
			keyToken, err := dec.Token()
			if err != nil {
				return fmt.Errorf("is not valid JSON: %w", err)
			}
			key := keyToken.(string) // object keys are always strings
			if first, repeated := seen[strings.ToLower(key)]; repeated {
				return fmt.Errorf("has the key %q twice (as %q and %q)", key, first, key)
			}
			seen[strings.ToLower(key)] = key
			if err := walkJSON(dec); err != nil {
				return err
			}
		}
	case json.Delim('['):
		for dec.More() {
			if err := walkJSON(dec); err != nil {
				return err
			}
		}
	default:
		return nil
	}
	_, err = dec.Token() // the closing delimiter
	return err
}

// CheckTrustShape refuses a trust policy that is not exactly of a shape
// TrustPolicy writes, saying why.
func CheckTrustShape(doc iampolicy.Document) error {
	_, _, err := readTrust(doc)
	return err
}

// ReadTrust reads back the one identity that the trust policy of the reader
// role named role admits, and refuses any policy that is not exactly what
// TrustPolicy writes for that role: for a Google reader, its oaud must be the
// role's own audience. The caller may also check that role is
// RoleName(dataset, reader).
func ReadTrust(role string, doc iampolicy.Document) (Reader, error) {
	reader, gcpAudience, err := readTrust(doc)
	if err != nil {
		return nil, err
	}
	if _, isGCP := reader.(GCPReader); isGCP && gcpAudience != GCPAudience(role) {
		return nil, fmt.Errorf("requires the audience %s, but role %s's own audience is %s: a token got for another role must not assume this one", gcpAudience, role, GCPAudience(role))
	}
	return reader, nil
}

// ReadTrustPolicy is ReadTrust of a policy as a plan shows it (JSON).
func ReadTrustPolicy(role, text string) (Reader, error) {
	doc, err := ParseTrustPolicy(text)
	if err != nil {
		return nil, err
	}
	return ReadTrust(role, doc)
}

var (
	azureProviderARN = regexp.MustCompile(`^arn:aws:iam::[0-9]{12}:oidc-provider/` + regexp.QuoteMeta(entraHost) + `/([^/]+)/v2\.0$`)
	gcpAudience      = regexp.MustCompile(`^` + regexp.QuoteMeta(gcpAudiencePrefix) + `[\w+=,.@-]{1,64}$`)
)

// readTrust checks the shape common to both clouds, then the cloud's own.
func readTrust(doc iampolicy.Document) (reader Reader, audience string, err error) {
	if doc.Version != iampolicy.Version {
		return nil, "", fmt.Errorf("has Version %q, not %s", doc.Version, iampolicy.Version)
	}
	if len(doc.Statement) != 1 {
		return nil, "", fmt.Errorf("has %d statements, but a reader's trust has exactly one", len(doc.Statement))
	}
	s := doc.Statement[0]
	switch {
	case s.Effect != iampolicy.Allow:
		return nil, "", fmt.Errorf("has Effect %q, not Allow", s.Effect)
	case len(s.Resource) > 0:
		return nil, "", errors.New("has a Resource, which a trust policy never has")
	case !slices.Equal(s.Action, []string{AssumeRoleWithWebIdentity}):
		return nil, "", fmt.Errorf("allows the actions %s, but a reader's role allows %s alone (no sts:TagSession)", strings.Join(s.Action, ", "), AssumeRoleWithWebIdentity)
	case len(s.Principal) != 1 || len(s.Principal["Federated"]) != 1:
		return nil, "", fmt.Errorf("has the principal %v, but a reader's role trusts exactly one Federated provider", s.Principal)
	case len(s.Condition) != 1 || s.Condition["StringEquals"] == nil:
		return nil, "", fmt.Errorf("has the conditions %v, but a reader's role pins its identity with one StringEquals and nothing else", slices.Sorted(maps.Keys(s.Condition)))
	}
	conditions := s.Condition["StringEquals"]
	for key, values := range conditions {
		if len(values) != 1 {
			return nil, "", fmt.Errorf("allows %d values for %s, but a reader's role trusts exactly one identity", len(values), key)
		}
	}
	provider := s.Principal["Federated"][0]
	if provider == Google {
		return readGCPTrust(conditions)
	}
	match := azureProviderARN.FindStringSubmatch(provider)
	if match == nil {
		return nil, "", fmt.Errorf("trusts %s, but a reader's role trusts %s or a tenant's v2 issuer, arn:aws:iam::<account>:oidc-provider/%s (v1 tokens carry whatever audience was asked for)", provider, Google, AzureProvider("<tenant id>"))
	}
	return readAzureTrust(match[1], conditions)
}

func readGCPTrust(conditions map[string][]string) (Reader, string, error) {
	if err := exactKeys(conditions, GoogleAud, GoogleOaud, GoogleSub); err != nil {
		return nil, "", err
	}
	aud, oaud, sub := conditions[GoogleAud][0], conditions[GoogleOaud][0], conditions[GoogleSub][0]
	switch {
	case aud != sub:
		return nil, "", fmt.Errorf("pins %s to %s and %s to %s, but for a service account both are its unique id", GoogleAud, aud, GoogleSub, sub)
	case UniqueIDProblem(sub) != "":
		return nil, "", fmt.Errorf("pins %s to %q, which %s", GoogleSub, sub, UniqueIDProblem(sub))
	case !gcpAudience.MatchString(oaud):
		return nil, "", fmt.Errorf("pins %s to %q, but a reader's role requires its own audience, %s<role name>", GoogleOaud, oaud, gcpAudiencePrefix)
	}
	return GCPReader{ServiceAccountUniqueID: sub}, oaud, nil
}

func readAzureTrust(tenant string, conditions map[string][]string) (Reader, string, error) {
	if problem := TenantIDProblem(tenant); problem != "" {
		return nil, "", fmt.Errorf("trusts the provider of tenant %q, which %s", tenant, problem)
	}
	if err := exactKeys(conditions, AzureAud(tenant), AzureSub(tenant)); err != nil {
		return nil, "", err
	}
	reader := AzureReader{TenantID: tenant, ClientID: conditions[AzureAud(tenant)][0], ObjectID: conditions[AzureSub(tenant)][0]}
	if problems := reader.Problems(); len(problems) > 0 {
		return nil, "", fmt.Errorf("pins a %s that %s", problems[0].Field, problems[0].Message)
	}
	return reader, reader.ClientID, nil
}

// exactKeys refuses conditions whose keys are not exactly want, naming a
// missing key first: a trust on the audience alone admits every identity
// that can get a token for it.
func exactKeys(conditions map[string][]string, want ...string) error {
	for _, key := range want {
		if _, ok := conditions[key]; !ok {
			return fmt.Errorf("has no %s condition, so it does not pin one identity: a reader's role pins %s", key, strings.Join(want, ", "))
		}
	}
	for _, key := range slices.Sorted(maps.Keys(conditions)) {
		if !slices.Contains(want, key) {
			return fmt.Errorf("has the condition key %s, but a reader's role pins exactly %s", key, strings.Join(want, ", "))
		}
	}
	return nil
}
