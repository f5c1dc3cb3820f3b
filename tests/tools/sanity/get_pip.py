"""Stand-in for the get-pip script ansible-test downloads from a host these machines cannot reach.

ansible-test makes a virtualenv without pip per sanity test, then runs its cached "get_pip_<version>.py"
in that interpreter with get-pip's arguments (options, then pip==<version> and the other packages it
pins). This does the same with what is here: the interpreter's bundled pip (ensurepip), which then
installs the exact versions ansible-test asked for from the package index.
"""

import ensurepip
import os
import subprocess
import sys

# get-pip's own switches; pip install knows neither.
GET_PIP_ONLY = {"--no-setuptools", "--no-wheel"}

# ensurepip sets PIP_CONFIG_FILE=/dev/null in this process; the install below must see the
# machine's pip configuration (its index and certificate settings) again.
environment = dict(os.environ)
ensurepip.bootstrap(upgrade=True, default_pip=True)
arguments = [argument for argument in sys.argv[1:] if argument not in GET_PIP_ONLY]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", *arguments], env=environment))
