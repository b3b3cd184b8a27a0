package federation

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/ministryofjustice/data-engineering-exports/constructs/iampolicy"
)

// The evaluator stands in for AWS where the emulator cannot: moto creates
// OIDC providers but its AssumeRoleWithWebIdentity checks nothing. It models
// exactly what a reader's trust policy can say (the Federated principal, the
// action, StringEquals conditions, several keys ANDed and several values
// ORed) and how AWS turns a verified token into condition keys. Anything
// else in a policy is not understood, and is denied with ErrNotUnderstood, so
// a denial is only ever a proof when the error is nil.

// Token holds the claims AWS reads from a web identity token once it has
// verified its signature.
type Token struct {
	Issuer string // iss
	// Audience is aud: for Google, the audience the caller asked for; for a v2
	// Entra access token, the client id of the application it is for.
	Audience string
	// AuthorizedParty is azp, "" when the token has none. A Google service
	// account's tokens carry its unique id here.
	AuthorizedParty string
	Subject         string // sub
}

// Request is one call to AssumeRoleWithWebIdentity.
type Request struct {
	// Provider is who vouches for the token: Google, or the ARN of the IAM
	// OIDC provider the caller's account has for the token's issuer.
	Provider string
	// Action is the action asked for, AssumeRoleWithWebIdentity.
	Action string
	Token  Token
}

// ErrNotUnderstood wraps the reason a policy holds something the evaluator
// does not model.
var ErrNotUnderstood = errors.New("not understood by the evaluator")

// Allows says whether AWS would let req assume a role whose trust policy is
// doc: false whenever the evaluator does not understand doc.
func Allows(doc iampolicy.Document, req Request) bool {
	allowed, err := Evaluate(doc, req)
	return allowed && err == nil
}

// Evaluate says whether AWS would let req assume a role whose trust policy is
// doc. The error, which wraps ErrNotUnderstood, says what in doc it does not
// model; allowed is then false.
func Evaluate(doc iampolicy.Document, req Request) (allowed bool, err error) {
	if err := understood(doc); err != nil {
		return false, err
	}
	keys, verified := contextKeys(req)
	if !verified {
		// AWS refuses a token that its provider did not issue before it
		// reads the policy.
		return false, nil
	}
	for _, s := range doc.Statement {
		if statementMatches(s, req, keys) {
			return true, nil
		}
	}
	return false, nil
}

// understood checks that doc says nothing but what the evaluator models.
func understood(doc iampolicy.Document) error {
	if doc.Version != iampolicy.Version {
		return fmt.Errorf("%w: Version %q", ErrNotUnderstood, doc.Version)
	}
	for i, s := range doc.Statement {
		if reason := statementNotUnderstood(s); reason != "" {
			return fmt.Errorf("%w: statement %d %s", ErrNotUnderstood, i, reason)
		}
	}
	return nil
}

func statementNotUnderstood(s iampolicy.Statement) string {
	switch {
	case s.Effect != iampolicy.Allow:
		return fmt.Sprintf("has Effect %q", s.Effect)
	case len(s.Resource) > 0:
		return "has a Resource"
	case len(s.Principal) != 1 || len(s.Principal["Federated"]) == 0:
		return "has a principal other than Federated"
	case slices.ContainsFunc(s.Principal["Federated"], hasWildcard):
		return "has a wildcard in its principal"
	case slices.ContainsFunc(s.Action, hasWildcard):
		return "has a wildcard in its action"
	}
	for operator, keys := range s.Condition {
		if operator != "StringEquals" {
			return "uses the condition operator " + operator
		}
		for key, values := range keys {
			if slices.ContainsFunc(values, func(v string) bool { return strings.Contains(v, "${") }) {
				return "has a policy variable in the values of " + key
			}
		}
	}
	return ""
}

func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?") }

// statementMatches says whether an understood statement allows req, whose
// token gave keys (lower case, as AWS compares key names).
func statementMatches(s iampolicy.Statement, req Request, keys map[string]string) bool {
	if !slices.Contains(s.Principal["Federated"], req.Provider) {
		return false
	}
	// Action names are not case-sensitive.
	if !slices.ContainsFunc(s.Action, func(a string) bool { return strings.EqualFold(a, req.Action) }) {
		return false
	}
	for _, conditions := range s.Condition { // only StringEquals
		for key, values := range conditions {
			value, present := keys[strings.ToLower(key)]
			if !present || !slices.Contains(values, value) {
				return false
			}
		}
	}
	return true
}

// oidcProviderARN is an IAM OIDC provider's ARN; its URL, without https://,
// follows "oidc-provider/".
var oidcProviderARN = regexp.MustCompile(`^arn:aws:iam::[0-9]{12}:oidc-provider/(.+)$`)

// contextKeys are the condition keys AWS fills from req's token, by lower-case
// name; verified is false when the provider would not accept the token.
func contextKeys(req Request) (keys map[string]string, verified bool) {
	t := req.Token
	keys = map[string]string{}
	set := func(key, value string) {
		if value != "" {
			keys[strings.ToLower(key)] = value
		}
	}
	if req.Provider == Google {
		if !slices.Contains(googleIssuers, t.Issuer) {
			return nil, false
		}
		// accounts.google.com:aud is azp when the token has one, else aud.
		aud := t.AuthorizedParty
		if aud == "" {
			aud = t.Audience
		}
		set(GoogleAud, aud)
		set(GoogleOaud, t.Audience)
		set(GoogleSub, t.Subject)
		return keys, true
	}
	match := oidcProviderARN.FindStringSubmatch(req.Provider)
	if match == nil || "https://"+match[1] != t.Issuer {
		return nil, false
	}
	set(match[1]+":aud", t.Audience)
	set(match[1]+":sub", t.Subject)
	return keys, true
}
