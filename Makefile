# make run  — install what is missing, build, and train on Fashion-MNIST.
# make test — install what is missing, build, and run the test suite.

SWIFT ?= swift
APT_PACKAGES := libopenblas-dev zlib1g-dev pkg-config dataset-fashion-mnist fortunes libopenmpi-dev openmpi-bin

.PHONY: run test build release deps bench clean

run: deps release
	.build/release/kiln train

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product kiln

bench: release
	.build/release/kiln bench

# Installs the Debian packages that are missing (needs root or sudo), then makes SwiftPM evaluate
# Package.swift again (it caches the result and the build plan): the manifest declares the MPI
# targets only where Open MPI is installed.
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	  rm -rf "$${XDG_CACHE_HOME:-$$HOME/.cache}/org.swift.swiftpm/manifests"; touch Package.swift; \
	fi

clean:
	rm -rf .build
