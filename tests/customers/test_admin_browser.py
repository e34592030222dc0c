"""End to end in headless Chromium: a staff user logs in, finds a customer by phone and opens it."""

import shutil
import tempfile
from pathlib import Path

import pytest

from tests.factories import PASSWORD, UserFactory

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path(shutil.which("chromedriver") or "/usr/bin/chromedriver")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.real_clock,  # Chromium reads the real clock (cookie expiry)
    pytest.mark.skipif(
        not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
        reason=f"headless admin test skipped: {CHROMIUM} or chromedriver is not installed "
        "(apt-get install chromium chromium-driver)",
    ),
]


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="esmart-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*CHROMIUM_FLAGS, "--window-size=1600,1200", f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.implicitly_wait(5)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.mark.django_db(transaction=True)
def test_staff_finds_a_customer_by_phone_and_opens_it(browser, live_server):
    from selenium.webdriver.common.by import By

    from tests.conftest import make_owner

    owner = make_owner()
    make_owner()  # someone else, who must not match the search
    staff = UserFactory(is_staff=True, is_superuser=True)

    browser.get(f"{live_server.url}/admin/login/?next=/admin/customers/customer/")
    browser.find_element(By.NAME, "username").send_keys(staff.username)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()

    search = browser.find_element(By.ID, "searchbar")
    search.send_keys(owner.customer.phone_number)
    browser.find_element(By.CSS_SELECTOR, "#changelist-search input[type=submit]").click()

    rows = browser.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")
    assert len(rows) == 1
    assert owner.customer.phone_number in rows[0].text
    rows[0].find_element(By.CSS_SELECTOR, "th a, td a").click()

    assert f"/admin/customers/customer/{owner.customer.pk}/change/" in browser.current_url
    page = browser.find_element(By.ID, "content").text
    assert owner.customer.last_name in page
    assert str(owner.contract.contract_no) in page
    assert owner.delivery_point.metering_point_id in page
    assert owner.meter.meter_id in page
    assert owner.user.username in browser.page_source  # the login with access, inline
