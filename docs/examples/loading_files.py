"""Read, write and validate case files; the bundled examples."""

import tempfile
from pathlib import Path

import crimegraph as cg

case = cg.read_case("fixtures/counterfeit_oil.json")    # validated as a whole
print(case.id, len(case.transactions), "transactions")

print(cg.example_names())
liquor = cg.load_example("fake_liquor")                 # the same files, from the package
print(cg.example_path("fake_liquor").name)

with tempfile.TemporaryDirectory() as folder:
    path = cg.write_case(liquor, Path(folder) / "liquor.json")
    again = cg.read_case(path)
    print(again == liquor)                              # a round trip gives an equal case

    path.write_text('{"id": "broken", "persons": [}', encoding="utf-8")
    try:
        cg.read_case(path)
    except cg.CaseFileError as err:
        print(str(err).replace(folder, "..."))
