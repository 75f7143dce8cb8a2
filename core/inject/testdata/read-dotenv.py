# read-dotenv.py FILE...: what python-dotenv reads from each file, as
# load_dotenv reads it (dotenv_values: the file opened as UTF-8 text,
# interpolation on), one JSON object per file in a JSON list.
import json
import sys

from dotenv import dotenv_values

json.dump([dotenv_values(path) for path in sys.argv[1:]], sys.stdout, ensure_ascii=True)
