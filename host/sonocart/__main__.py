import sys

from sonocart.cli import main

sys.exit(main())
