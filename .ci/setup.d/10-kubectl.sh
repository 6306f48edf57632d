# shellcheck shell=bash
# kubectl for KubectlApiServerIT (devkit), which drives the real binary against the development API server.
# Sourced by .ci/run. Installs Debian's kubernetes-client only when no kubectl is on the machine; when the package
# cannot be had, the test skips and says why. kubectl before 1.29 (Debian 12 ships 1.20) reads OpenAPI v2 only,
# so the test passes --validate=false to its `kubectl apply` there. Safe to run twice.
if command -v kubectl >/dev/null 2>&1; then
  echo "kubectl: $(command -v kubectl) ($(kubectl version --client 2>/dev/null | sed -n 1p))"
else
  echo "kubectl: not found; installing Debian's kubernetes-client"
  if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends kubernetes-client \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
           apt-get install -y -qq --no-install-recommends kubernetes-client; }; then
    echo "kubectl: $(command -v kubectl) ($(kubectl version --client 2>/dev/null | sed -n 1p))"
  else
    echo "kubectl: kubernetes-client is not available here; KubectlApiServerIT will be skipped"
  fi
fi
