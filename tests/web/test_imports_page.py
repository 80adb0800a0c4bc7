"""The import page: upload, see the mapping and the validation report, then import."""

from __future__ import annotations

from .conftest import csrf_of

CSV = (
    "Customer Number,Full Name,E-mail,Shoe size\n"
    "C1,Ada Lovelace,ada@example.com,38\n"
    "C2,Bob Builder,not-an-email,44\n"
)


def upload(client, data=CSV, mapping="", kind="customers"):
    token = csrf_of(client.get("/imports", headers={"accept": "text/html"}).text)
    return client.post(
        "/imports/preview",
        data={"kind": kind, "csrf_token": token, "mapping": mapping},
        files={"file": ("people.csv", data.encode(), "text/csv")},
        headers={"accept": "text/html"},
    )


def test_preview_writes_nothing_then_import_the_good_rows(browser_clients, sqlite_web):
    admin = browser_clients["admin"]
    r = upload(admin)
    assert r.status_code == 200
    text = r.text
    assert "<td>external_id</td><td>Customer Number</td>" in text
    assert "<td>name</td><td>Full Name</td>" in text
    assert "Not imported: Shoe size" in text
    assert "not-an-email" in text and "row" in text.lower()
    assert sqlite_web.api("viewer").get("/api/v1/customers").json()["total"] == 0
    upload_id = text.split('name="upload_id" value="')[1].split('"')[0]
    r = admin.post(
        "/imports/run",
        data={
            "kind": "customers",
            "upload_id": upload_id,
            "skip_bad": "true",
            "csrf_token": csrf_of(text),
        },
        headers={"accept": "text/html"},
    )
    assert r.status_code == 200 and "<dt>Inserted</dt><dd>1</dd>" in r.text
    names = [c["name"] for c in sqlite_web.api("viewer").get("/api/v1/customers").json()["items"]]
    assert names == ["Ada Lovelace"]
    again = admin.post(
        "/imports/run",
        data={"kind": "customers", "upload_id": upload_id, "csrf_token": csrf_of(text)},
        headers={"accept": "text/html"},
    )
    assert again.status_code == 422 and "upload the file again" in again.text


def test_mapping_can_be_changed_in_the_preview(browser_clients):
    r = upload(browser_clients["admin"], "Id,Who\nC1,Ada\n", mapping="Who=name\nId=customer_id")
    assert "<td>name</td><td>Who</td>" in r.text and "no problems" in r.text


def test_a_file_without_ids_is_refused_before_anything_happens(browser_clients):
    r = upload(browser_clients["admin"], "Colour\nred\n", kind="orders")
    assert r.status_code == 200 and 'id="confirm"' not in r.text
    assert "required column missing" in r.text


def test_only_admins_import(browser_clients):
    for role in ("agent", "viewer"):
        assert (
            browser_clients[role].get("/imports", headers={"accept": "text/html"}).status_code
            == 403
        )
        assert upload_as_non_admin(browser_clients[role]).status_code == 403


def upload_as_non_admin(client):
    token = csrf_of(client.get("/customers", headers={"accept": "text/html"}).text)
    return client.post(
        "/imports/preview",
        data={"kind": "customers", "csrf_token": token},
        files={"file": ("p.csv", CSV.encode(), "text/csv")},
    )
