# The two commands of the README. Everything else is in scripts/.
.PHONY: run test bench
run:   ## build and serve the app on http://127.0.0.1:3000 (SQLite under data/)
	scripts/run.sh
test:  ## install test prerequisites and run every test
	scripts/test.sh
bench: ## attempt starts/submits per second against a running server (see README)
	cargo run --release --example bench -- $(ARGS)
