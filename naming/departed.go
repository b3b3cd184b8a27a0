package naming

import "strings"

// A departed user is one whose alpha_user_ role no longer exists while
// dataset files still list them. The stack leaves their access out and
// warns with one Terraform check per listed user; the plan summary reads the
// failed checks back. The check's name carries the role and its message the
// files, in the form these functions write and read.

// departedUserCheckPrefix starts the name of the check that warns about one
// user; role names are valid in Terraform names, so the role follows as it is.
const departedUserCheckPrefix = "departed_user-"

// DepartedUserCheck is the name of the Terraform check that warns when the
// role of a listed user does not exist.
func DepartedUserCheck(role string) string { return departedUserCheckPrefix + role }

// ParseDepartedUserCheck is the role a DepartedUserCheck name warns about;
// ok is false for any other check.
func ParseDepartedUserCheck(name string) (role string, ok bool) {
	role, ok = strings.CutPrefix(name, departedUserCheckPrefix)
	return role, ok && role != ""
}

// departedUserFilesIntro comes just before the list of files in a
// DepartedUserMessage.
const departedUserFilesIntro = " in each dataset file that lists them: "

// departedUserFileSeparator separates the files in a DepartedUserMessage.
const departedUserFileSeparator = ", "

// DepartedUserMessage is the warning of a DepartedUserCheck: what happened,
// what the deploy does about it, and every dataset file to change.
func DepartedUserMessage(role string, files []string) string {
	return "The IAM role " + role + " does not exist: the user has left the Analytical Platform, or the name is wrong. " +
		"This deploy leaves out their access and applies every other change; remove or correct the user" +
		departedUserFilesIntro + strings.Join(files, departedUserFileSeparator)
}

// DepartedUserFiles reads the files back from a DepartedUserMessage; ok is
// false for any other message.
func DepartedUserFiles(message string) (files []string, ok bool) {
	i := strings.LastIndex(message, departedUserFilesIntro)
	if i < 0 {
		return nil, false
	}
	list := message[i+len(departedUserFilesIntro):]
	if list == "" {
		return nil, false
	}
	return strings.Split(list, departedUserFileSeparator), true
}
