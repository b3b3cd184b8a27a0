// Package plansummary turns a Terraform plan (the output of `terraform show
// -json PLANFILE`) into the Markdown a reviewer reads on a dataset pull
// request: what would be destroyed first, then, dataset by dataset, who gains
// or loses access to what and where data will be sent.
//
// Every resource is mapped to its owner by its logical id (package naming),
// which the constructs set on every resource; the only attributes read are
// our own documents: the mover's environment, bucket names, bucket and user
// policies and versioning.
package plansummary

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// Terraform's change actions, as `terraform show -json` writes them.
const (
	actionNoOp   = "no-op"
	actionCreate = "create"
	actionRead   = "read"
	actionUpdate = "update"
	actionDelete = "delete"
)

// plan is the part of Terraform's JSON plan format the summary reads.
type plan struct {
	FormatVersion   string           `json:"format_version"`
	ResourceChanges []resourceChange `json:"resource_changes"`
	PriorState      *state           `json:"prior_state"`
	// Errored is true when Terraform could not finish the plan.
	Errored bool `json:"errored"`
}

type resourceChange struct {
	Address string `json:"address"`
	Mode    string `json:"mode"`
	Type    string `json:"type"`
	// Name is the logical id the constructs set.
	Name   string `json:"name"`
	Change change `json:"change"`
}

type change struct {
	Actions []string `json:"actions"`
	// Before and After are the resource's attributes; nil when it does not
	// exist on that side.
	Before map[string]any `json:"before"`
	After  map[string]any `json:"after"`
	// AfterUnknown mirrors After: true where a value is known only after
	// apply.
	AfterUnknown map[string]any `json:"after_unknown"`
}

type state struct {
	Values *struct {
		RootModule stateModule `json:"root_module"`
	} `json:"values"`
}

type stateModule struct {
	Resources    []stateResource `json:"resources"`
	ChildModules []stateModule   `json:"child_modules"`
}

type stateResource struct {
	Mode   string         `json:"mode"`
	Type   string         `json:"type"`
	Name   string         `json:"name"`
	Values map[string]any `json:"values"`
}

// parsePlan decodes `terraform show -json` output of a plan file, refusing
// anything else with a message that says how to make the right input.
func parsePlan(data []byte) (*plan, error) {
	var p plan
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("not JSON (%v): give the output of `terraform show -json PLANFILE`", err)
	}
	if p.FormatVersion == "" {
		return nil, errors.New("no format_version: this is not Terraform's JSON output; give the output of `terraform show -json PLANFILE`")
	}
	if p.ResourceChanges == nil && p.PriorState == nil {
		var probe struct {
			Values json.RawMessage `json:"values"`
		}
		if json.Unmarshal(data, &probe) == nil && probe.Values != nil {
			return nil, errors.New("this is a state, not a plan: run `terraform plan -out PLANFILE` and give the output of `terraform show -json PLANFILE`")
		}
	}
	return &p, nil
}

// isManaged is true for resources (not data sources).
func (rc resourceChange) isManaged() bool { return rc.Mode == "managed" }

// changes is true unless the resource stays as it is.
func (c change) changes() bool {
	return slices.ContainsFunc(c.Actions, func(a string) bool { return a != actionNoOp && a != actionRead })
}

// deletes is true for a delete or a replacement (delete then create, or
// create then delete).
func (c change) deletes() bool { return slices.Contains(c.Actions, actionDelete) }

// replaces is true when the resource is deleted and created again.
func (c change) replaces() bool { return c.deletes() && slices.Contains(c.Actions, actionCreate) }

// verb names the action for people.
func (c change) verb() string {
	switch {
	case c.replaces():
		return "replace"
	case c.deletes():
		return actionDelete
	case slices.Contains(c.Actions, actionCreate):
		return actionCreate
	case slices.Contains(c.Actions, actionUpdate):
		return actionUpdate
	}
	return actionNoOp
}

// priorResources is every managed resource in the plan's prior state.
func (p *plan) priorResources() []stateResource {
	if p.PriorState == nil || p.PriorState.Values == nil {
		return nil
	}
	var all []stateResource
	var walk func(m stateModule)
	walk = func(m stateModule) {
		for _, r := range m.Resources {
			if r.Mode == "managed" {
				all = append(all, r)
			}
		}
		for _, child := range m.ChildModules {
			walk(child)
		}
	}
	walk(p.PriorState.Values.RootModule)
	return all
}

// attribute walks values along path (map keys and list indexes) and returns
// what it finds, or nil.
func attribute(values any, path ...any) any {
	current := values
	for _, step := range path {
		switch key := step.(type) {
		case string:
			m, ok := current.(map[string]any)
			if !ok {
				return nil
			}
			current = m[key]
		case int:
			list, ok := current.([]any)
			if !ok || key >= len(list) {
				return nil
			}
			current = list[key]
		}
	}
	return current
}

// stringAttribute is the string at path, or "".
func stringAttribute(values any, path ...any) string {
	s, _ := attribute(values, path...).(string)
	return s
}

// unknown is true when the after_unknown tree marks path, or any part of it
// on the way there, as known only after apply.
func unknown(afterUnknown map[string]any, path ...any) bool {
	var current any = afterUnknown
	for _, step := range path {
		if b, ok := current.(bool); ok {
			return b
		}
		current = attribute(current, step)
	}
	b, _ := current.(bool)
	return b
}
