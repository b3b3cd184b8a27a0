package plansummary

import (
	"cmp"
	"slices"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// DepartedUser is a user whom dataset files list but whose role no longer
// exists: the plan leaves out their access, and their departed-user check
// (naming.DepartedUserCheck) fails, which Terraform reports as a warning.
type DepartedUser struct {
	Role string
	// Files are the dataset files that list the user, as the check's message
	// names them.
	Files []string
}

// departedUsers reads the failed departed-user checks of a plan, sorted by
// role.
func departedUsers(p *tfjson.Plan) []DepartedUser {
	var users []DepartedUser
	for _, check := range p.Checks {
		role, ok := naming.ParseDepartedUserCheck(check.Address.Name)
		if check.Address.Kind != tfjson.CheckKindCheckBlock || !ok || check.Status != tfjson.CheckStatusFail {
			continue
		}
		user := DepartedUser{Role: role}
		for _, instance := range check.Instances {
			for _, problem := range instance.Problems {
				if files, ok := naming.DepartedUserFiles(problem.Message); ok {
					user.Files = append(user.Files, files...)
				}
			}
		}
		slices.Sort(user.Files)
		user.Files = slices.Compact(user.Files)
		users = append(users, user)
	}
	slices.SortFunc(users, func(a, b DepartedUser) int { return cmp.Compare(a.Role, b.Role) })
	return users
}
