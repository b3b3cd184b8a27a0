package stacks

// EndpointFor exposes endpointFor to the tests of package stacks_test.
var EndpointFor = endpointFor
