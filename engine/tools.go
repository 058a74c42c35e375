//go:build tools

// Package tools pins the Go programs tasks.py builds: `go build` of these packages from this
// module, because `go install pkg@version` refuses modules whose go.mod has replace directives.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
