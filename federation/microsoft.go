package federation

import "regexp"

// microsoftApps are the client ids of well-known applications that Microsoft
// registers in every tenant. An Azure reader's client_id must be an
// application the reader registered for this export: anyone in a tenant can
// get tokens for Microsoft's own applications, and Microsoft, not the reader,
// decides what those tokens look like. The list is short on purpose (the
// ones a person is likely to paste, seen in Microsoft's documentation and in
// sign-in logs); microsoftReservedApp catches Microsoft's reserved ranges.
var microsoftApps = map[string]string{
	"04b07795-8ddb-461a-bbee-02f9e1bf7b46": "Azure CLI",
	"1950a258-227b-4e31-a9cf-717495945fc2": "Azure PowerShell",
	"1b730954-1685-4b74-9bfd-dac224a7b894": "Azure Active Directory PowerShell",
	"14d82eec-204b-4c2f-b7e8-296a70dab67e": "Microsoft Graph Command Line Tools",
	"00000003-0000-0000-c000-000000000000": "Microsoft Graph",
	"00000002-0000-0000-c000-000000000000": "Azure Active Directory Graph",
	"797f4846-ba00-4fd7-ba43-dac1f8f63013": "Azure Resource Manager (Windows Azure Service Management API)",
	"872cd9fa-d31f-45e0-9eab-6e460a02d1f1": "Visual Studio",
	"d3590ed6-52b3-4102-aeff-aad2292ab01c": "Microsoft Office",
	"1fec8e78-bce4-4aaf-ab1b-5451cc387264": "Microsoft Teams",
	"00000002-0000-0ff1-ce00-000000000000": "Office 365 Exchange Online",
	"00000003-0000-0ff1-ce00-000000000000": "Office 365 SharePoint Online",
}

// microsoftReservedApp matches the client ids Microsoft keeps for its own
// services (Graph, Exchange, SharePoint and their kin): no random
// application id has this form.
var microsoftReservedApp = regexp.MustCompile(`^000000[0-9a-f]{2}-0000-(0000-c000|0ff1-ce00)-000000000000$`)

// microsoftApp is the name of Microsoft's application with this client id,
// or "" when it is not one of theirs that this package knows.
func microsoftApp(clientID string) string {
	if name, ok := microsoftApps[clientID]; ok {
		return name
	}
	if microsoftReservedApp.MatchString(clientID) {
		return "first-party service"
	}
	return ""
}
