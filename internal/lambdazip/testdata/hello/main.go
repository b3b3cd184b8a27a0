// Command hello is a tiny main package for the reproducibility test.
package main

import "fmt"

func main() { fmt.Println("hello from bootstrap") }
