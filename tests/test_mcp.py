"""The MCP server through a real MCP client (Streamable HTTP transport)."""

import asyncio
import json
import urllib.request

from mcp import ClientSession
from mcp.client.streamable_http import streamablehttp_client


async def _with_session(url, action):
    async with streamablehttp_client(f"{url}/gradio_api/mcp/") as (read, write, _):
        async with ClientSession(read, write) as session:
            await session.initialize()
            return await action(session)


def run(url, action):
    return asyncio.run(_with_session(url, action))


def test_schema_lists_the_tools(app_url):
    with urllib.request.urlopen(f"{app_url}/gradio_api/mcp/schema") as response:
        tools = {tool["name"]: tool for tool in json.load(response)}
    assert {"search_catalog", "recommend_outfit", "generate_product_image", "virtual_try_on", "get_user_profile", "record_feedback",
            "create_profile"} <= set(tools)  # fmt: skip
    assert "chat" not in tools and "respond" not in tools
    assert "Search the product catalog" in tools["search_catalog"]["description"]


def test_search_catalog_through_an_mcp_client(app_url, catalog):
    async def action(session):
        listed = await session.list_tools()
        result = await session.call_tool("search_catalog", {"query": "a red handbag", "k": 4})
        return [tool.name for tool in listed.tools], result

    names, result = run(app_url, action)
    assert "search_catalog" in names
    assert not result.isError
    items = json.loads(result.content[0].text)
    assert len(items) == 4
    assert all(catalog.get(item["id"]) for item in items)
    assert items[0]["colour"] == "Red" and items[0]["category"] == "Handbags"
    assert items[0]["image_url"].startswith("http://127.0.0.1:")


def test_mcp_errors_are_messages_not_stack_traces(app_url):
    async def action(session):
        return await session.call_tool("search_catalog", {"query": "", "k": 3})

    result = run(app_url, action)
    text = " ".join(getattr(part, "text", "") for part in result.content)
    assert result.isError
    assert "Please type what you are looking for" in text
    assert "Traceback" not in text


def test_recommend_outfit_over_two_rounds_through_an_mcp_client(app_url, catalog):
    shirt = next(item for item in catalog.items if item.article_type == "Shirts")
    with open(shirt.image_path, "rb") as image:
        data_uri = "data:image/jpeg;base64," + __import__("base64").b64encode(image.read()).decode()

    async def action(session):
        key = json.loads((await session.call_tool("create_profile", {})).content[0].text)["api_key"]
        first = await session.call_tool("recommend_outfit", {"message": "what shoes go with this?", "images": data_uri, "user_id": key})
        answer = json.loads(first.content[0].text)
        second = await session.call_tool("recommend_outfit", {"message": "another option", "user_id": key, "session_id": answer["session_id"]})
        profile = json.loads((await session.call_tool("get_user_profile", {"user_id": key})).content[0].text)
        return answer, json.loads(second.content[0].text), profile

    first, second, profile = run(app_url, action)
    assert [event["message"] for event in profile["history"]] == ["another option", "what shoes go with this?"]
    assert first["task"] == "basic" and first["items"]
    assert all(catalog.get(item_id).sub_category == "Shoes" for item_id in first["items"])
    assert set(first["explanation"]) == set(first["items"]) and all(first["explanation"].values())
    assert second["task"] == "alternative" and second["session_id"] == first["session_id"]
    assert not set(first["items"]) & set(second["items"])


def test_generate_product_image_returns_an_image_through_an_mcp_client(app_url):
    import base64
    import io

    from PIL import Image

    async def action(session):
        drawn = await session.call_tool("generate_product_image", {"description": "a red striped shirt", "seed": 1})
        refused = await session.call_tool("generate_product_image", {"description": "a fast red car"})
        return drawn, refused

    drawn, refused = run(app_url, action)
    assert not drawn.isError
    image_part = next(part for part in drawn.content if part.type == "image")
    assert image_part.mimeType == "image/png"
    image = Image.open(io.BytesIO(base64.b64decode(image_part.data)))
    assert image.size == (512, 512)
    assert refused.isError
    assert "only draw clothing and accessories" in " ".join(getattr(part, "text", "") for part in refused.content)


def test_feedback_through_mcp_re_ranks_the_users_next_search(app_url):
    async def action(session):
        key = json.loads((await session.call_tool("create_profile", {})).content[0].text)["api_key"]
        first = json.loads((await session.call_tool("search_catalog", {"query": "a red handbag", "k": 5, "user_id": key})).content[0].text)
        ack = await session.call_tool("record_feedback", {"user_id": key, "item_id": first[0]["id"], "liked": False})
        mine = json.loads((await session.call_tool("search_catalog", {"query": "a red handbag", "k": 5, "user_id": key})).content[0].text)
        others = json.loads((await session.call_tool("search_catalog", {"query": "a red handbag", "k": 5})).content[0].text)
        return first, ack, mine, others

    first, ack, mine, others = run(app_url, action)
    assert not ack.isError
    assert first[0]["id"] not in [item["id"] for item in mine]
    assert first[0]["id"] == others[0]["id"]  # without a user id the ranking is the plain one


def test_virtual_try_on_returns_an_image_through_an_mcp_client(app_url, catalog):
    import base64
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (240, 360), (180, 160, 140)).save(buffer, "PNG")
    person = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    shirt = next(item for item in catalog.items if item.article_type == "Shirts")

    async def action(session):
        worn = await session.call_tool("virtual_try_on", {"person_image": person, "garment_item_id": shirt.id})
        refused = await session.call_tool("virtual_try_on", {"person_image": person})
        return worn, refused

    worn, refused = run(app_url, action)
    assert not worn.isError
    image = Image.open(io.BytesIO(base64.b64decode(next(p for p in worn.content if p.type == "image").data)))
    assert image.size == (240, 360)
    assert refused.isError and "Choose a catalog garment" in " ".join(getattr(p, "text", "") for p in refused.content)
